import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildOpenApiDocument, openApiPath } from '../../scripts/openapi-build.js';
import type { AuthConfig } from '../../src/config/types.js';
import { AUTH_ERROR_STATUS } from '../../src/errors/auth-error.js';
import { createHttpHandler } from '../../src/http/index.js';
import { OPENAPI_DOCUMENT, servedDocument } from '../../src/http/openapi/document.js';
import { REQUEST_SCHEMAS, RequestEmailChangeRequest } from '../../src/http/openapi/requests.js';
import type * as responses from '../../src/http/openapi/responses.js';
import { OPERATIONS } from '../../src/http/operations/index.js';
import { commonErrors } from '../../src/http/operations/spec.js';
import { joinRoutes } from '../../src/http/router.js';
import { HANDLERS } from '../../src/http/routes/index.js';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '../../src/index.js';
import type { SessionInfo } from '../../src/sessions/types.js';
import { validateJsonSchema } from '../../src/testing/http-contract/json-schema.js';
import type { TrustedDeviceInfo } from '../../src/two-factor/types.js';
import type { PublicUser } from '../../src/users/public.js';

const REGENERATE = 'pnpm --filter @portcullis/core run openapi';
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('OpenAPI document: generated from the valibot schemas', () => {
  it('is the committed file (src/http/openapi/document.json), so it cannot drift', () => {
    const fresh = JSON.parse(JSON.stringify(buildOpenApiDocument(pkg.version)));
    expect(
      OPENAPI_DOCUMENT,
      `src/http/openapi/document.json is stale; regenerate it with \`${REGENERATE}\` and commit it`,
    ).toEqual(fresh);
  });

  it('is a valid OpenAPI 3.1 document (independent validator), as committed and as served', async () => {
    for (const doc of [OPENAPI_DOCUMENT, servedDocument('https://app.example.com/api/auth')]) {
      const validator = new Validator();
      const result = await validator.validate(
        structuredClone(doc) as unknown as Parameters<Validator['validate']>[0],
      );
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    }
  });

  it('documents every route of the handler, and no other', () => {
    const routes = joinRoutes(HANDLERS).map((r) => `${r.method} ${r.path}`);
    const operations = Object.values(OPERATIONS).map((op) => `${op.method} ${op.path}`);
    expect([...operations].sort()).toEqual([...routes].sort());
    const documented = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(operations.map((o) => openApiPath(o)).sort());
  });

  it('gives each operation its success status and each error code under its own status', () => {
    for (const op of Object.values(OPERATIONS)) {
      const item = OPENAPI_DOCUMENT.paths[openApiPath(op.path)]?.[op.method.toLowerCase()];
      const statuses = Object.keys(item?.responses ?? {}).map(Number);
      expect(statuses).toContain(op.success.status);
      for (const code of [...op.errors, ...commonErrors(op)]) {
        expect(statuses, `${op.method} ${op.path} ${code}`).toContain(AUTH_ERROR_STATUS[code]);
      }
    }
  });

  it('describes every email field alike: format email, at most the 254 characters the server accepts', () => {
    const schemas = OPENAPI_DOCUMENT.components.schemas as Record<
      string,
      { properties?: Record<string, unknown> }
    >;
    const emails = [
      ['RegisterRequest', 'email'],
      ['ResendVerificationRequest', 'email'],
      ['PasswordResetRequest', 'email'],
      ['RequestEmailChangeRequest', 'newEmail'],
    ] as const;
    for (const [schema, field] of emails) {
      expect(schemas[schema]?.properties?.[field], `${schema}.${field}`).toMatchObject({
        type: 'string',
        format: 'email',
        minLength: 1,
        maxLength: 254,
      });
    }
    // New passwords carry the default policy's minimum of 8.
    expect(schemas.RegisterRequest?.properties?.password).toMatchObject({ minLength: 8 });
    expect(schemas.ChangePasswordRequest?.properties?.newPassword).toMatchObject({ minLength: 8 });
    expect(RequestEmailChangeRequest.entries.newEmail).toBeDefined();
  });

  it('response schemas have the shapes the routes build (type level)', () => {
    expectTypeOf<PublicUser>().toExtend<v.InferOutput<typeof responses.User>>();
    expectTypeOf<v.InferOutput<typeof responses.User>>().toExtend<PublicUser>();
    expectTypeOf<Omit<SessionInfo, 'amr'>>().toExtend<v.InferOutput<typeof responses.Session>>();
    expectTypeOf<v.InferOutput<typeof responses.Session>>().toExtend<Omit<SessionInfo, 'amr'>>();
    expectTypeOf<TrustedDeviceInfo>().toExtend<v.InferOutput<typeof responses.TrustedDevice>>();
    expectTypeOf<v.InferOutput<typeof responses.TrustedDevice>>().toExtend<TrustedDeviceInfo>();
  });
});

/** Bodies each request schema must accept and refuse; valibot and the JSON Schema agree. */
const SAMPLES: Record<keyof typeof REQUEST_SCHEMAS, { ok: unknown[]; bad: unknown[] }> = {
  RegisterRequest: {
    ok: [
      { email: 'a@example.com', password: 'long enough' },
      { email: 'a@example.com', password: 'long enough', username: 'ann', firstName: 'Ann' },
    ],
    bad: [
      { email: 1, password: 'long enough' },
      { email: '', password: 'long enough' },
      { email: 'a@example.com', password: 'short' },
    ],
  },
  // Without a password only with magic links on: the flow says so (the shape allows it).
  VerifyEmailRequest: { ok: [{ token: 't' }], bad: [{}, { token: 'x'.repeat(257) }] },
  ResendVerificationRequest: {
    ok: [{ email: 'a@b.cd' }],
    bad: [{ email: null }, { email: 'x'.repeat(255) }],
  },
  LoginRequest: {
    ok: [{ identifier: 'ann', password: 'pw' }],
    bad: [{ identifier: 'ann' }, { identifier: ['x'], password: 'pw' }],
  },
  RefreshRequest: { ok: [{}, { refreshToken: 'a.b' }], bad: [{ refreshToken: 1 }] },
  ReauthenticateRequest: {
    ok: [{ password: 'pw' }, { password: 'pw', code: '123456', method: 'totp' }],
    bad: [{}, { password: 'pw', method: 'sms' }],
  },
  FreshnessProofRequest: {
    ok: [{}, { password: 'pw', code: 'c', method: 'recovery' }],
    bad: [{ password: '' }, { method: 'email' }],
  },
  OAuthLinkRequest: {
    ok: [{}, { redirectTo: '/settings', password: 'pw' }],
    bad: [{ redirectTo: 1 }, { redirectTo: `/${'a'.repeat(1024)}` }, { method: 'email' }],
  },
  OAuthCallbackForm: {
    ok: [
      { state: 's', code: 'c' },
      { error: 'access_denied', user: '{"name":{}}' },
    ],
    bad: [{ state: 1 }, { code: ['a'] }],
  },
  UpdateProfileRequest: {
    ok: [{}, { username: null, firstName: 'Ann', lastName: null }],
    bad: [{ firstName: 'x'.repeat(101) }, { username: 5 }],
  },
  RequestEmailChangeRequest: {
    ok: [{ newEmail: 'new@example.com', password: 'pw' }, { newEmail: 'new@example.com' }],
    bad: [{ password: 'pw' }, { newEmail: '', password: 'pw' }],
  },
  ConfirmEmailChangeRequest: { ok: [{ token: 't' }], bad: [{ token: '' }] },
  ChangePasswordRequest: {
    ok: [{ currentPassword: 'a', newPassword: 'long enough' }],
    bad: [
      { currentPassword: 'a' },
      { currentPassword: 'a', newPassword: 'x'.repeat(1025) },
      { currentPassword: 'a', newPassword: 'short' },
    ],
  },
  PasswordResetRequest: {
    ok: [{ email: 'a@b.cd' }],
    // (`format: email` is an annotation in JSON Schema 2020-12: only the length is checked.)
    bad: [{ email: `${'x'.repeat(250)}@b.cd` }, { email: '' }],
  },
  PasswordResetConfirmRequest: {
    ok: [{ token: 't', newPassword: 'long enough' }],
    bad: [{ token: 't' }, { newPassword: 'long enough' }, { token: 't', newPassword: 'short' }],
  },
  DeleteAccountRequest: { ok: [{ password: 'pw' }, {}], bad: [{ password: 1 }] },
  TotpEnrollRequest: { ok: [{ password: 'pw' }], bad: [{}] },
  CodeRequest: { ok: [{ code: '123456' }], bad: [{}, { code: 'x'.repeat(65) }] },
  DisableTwoFactorRequest: {
    ok: [{ password: 'pw', code: '1' }, { code: '1' }],
    bad: [{ password: 'pw' }],
  },
  RegenerateRecoveryCodesRequest: { ok: [{ password: 'pw' }, {}], bad: [{ password: 1 }] },
  PhoneRequest: {
    ok: [{ phone: '+14155550123', password: 'pw' }, { phone: '+14155550123' }],
    bad: [{ phone: '04155550123', password: 'pw' }, { password: 'pw' }],
  },
  ChallengeRequest: { ok: [{ challenge: 'c' }], bad: [{}, { challenge: 'x'.repeat(129) }] },
  VerifySecondFactorRequest: {
    ok: [
      { challenge: 'c', method: 'totp', code: '1' },
      { challenge: 'c', method: 'recovery', code: '1', rememberDevice: true },
    ],
    bad: [
      { challenge: 'c', method: 'push', code: '1' },
      { challenge: 'c', method: 'sms', code: '1', rememberDevice: 'yes' },
    ],
  },
  PasskeyRegistrationOptionsRequest: {
    ok: [{}, { password: 'pw' }],
    bad: [{ password: '' }, { method: 'sms' }],
  },
  PasskeyRegistrationRequest: {
    ok: [
      {
        response: {
          id: 'AAAA',
          rawId: 'AAAA',
          type: 'public-key',
          response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['internal'] },
          clientExtensionResults: {},
        },
        name: 'Laptop',
      },
    ],
    bad: [
      {},
      { response: { id: 'AAAA', rawId: 'AAAA', type: 'other', response: {} } },
      {
        response: {
          id: 'not base64url!',
          rawId: 'AAAA',
          type: 'public-key',
          response: { clientDataJSON: 'e30', attestationObject: 'oA' },
        },
      },
    ],
  },
  PasskeyLoginOptionsRequest: { ok: [{}, { identifier: 'ann' }], bad: [{ identifier: 1 }] },
  PasskeyLoginRequest: {
    ok: [
      {
        challengeId: 'a.b',
        response: {
          id: 'AAAA',
          rawId: 'AAAA',
          type: 'public-key',
          response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
        },
      },
    ],
    bad: [
      { challengeId: 'a.b' },
      {
        challengeId: 'a.b',
        response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { signature: 'AA' } },
      },
    ],
  },
  RenamePasskeyRequest: { ok: [{ name: 'Phone' }], bad: [{}, { name: 'x'.repeat(65) }] },
  RemovePasskeyRequest: { ok: [{}, { password: 'pw' }], bad: [{ method: 'email' }] },
  MagicLinkRequest: { ok: [{ email: 'a@b.cd' }], bad: [{}, { email: '' }] },
  AdminCreateUserRequest: {
    ok: [
      { email: 'a@b.cd' },
      { email: 'a@b.cd', password: 'long enough', roles: ['admin'], emailVerified: true },
    ],
    bad: [{}, { email: 'a@b.cd', password: 1 }, { email: 'a@b.cd', bio: 'x' }],
  },
  AdminUserPatchRequest: {
    ok: [{}, { roles: ['admin'], disabled: true, firstName: null }, { email: 'a@b.cd' }],
    bad: [{ roles: 'admin' }, { disabled: 'yes' }, { bio: 'x' }],
  },
  AdminRevokeSessionsRequest: { ok: [{}, { sessionId: 's' }], bad: [{ sessionId: 1 }] },
  MagicLinkVerifyRequest: {
    ok: [{ token: 't' }, { email: 'a@b.cd', code: '123456' }],
    bad: [{ token: 1 }, { code: 'x'.repeat(65) }],
  },
};

describe('OpenAPI document: request schemas say what the flows accept', () => {
  it.each(Object.keys(REQUEST_SCHEMAS) as (keyof typeof REQUEST_SCHEMAS)[])('%s', (name) => {
    const schema = OPENAPI_DOCUMENT.components.schemas[name] ?? false;
    const { ok, bad } = SAMPLES[name];
    for (const body of ok) {
      expect(v.safeParse(REQUEST_SCHEMAS[name], body).success, JSON.stringify(body)).toBe(true);
      expect(validateJsonSchema(schema, body, OPENAPI_DOCUMENT), JSON.stringify(body)).toEqual([]);
    }
    for (const body of bad) {
      expect(v.safeParse(REQUEST_SCHEMAS[name], body).success, JSON.stringify(body)).toBe(false);
      expect(validateJsonSchema(schema, body, OPENAPI_DOCUMENT), JSON.stringify(body)).not.toEqual(
        [],
      );
    }
  });
});

function auth(over: Partial<AuthConfig> = {}) {
  return createAuth({
    storage: memoryStorage(),
    mailer: memoryMailer(),
    appUrl: 'https://app.example.com/',
    secret: 's'.repeat(32),
    logger: silentLogger,
    ...over,
  });
}

const get = (config: Partial<AuthConfig> = {}) =>
  createHttpHandler(auth(config))(
    new Request(`https://app.example.com${config.http?.basePath ?? '/api/auth'}/openapi.json`),
  );

describe('GET /openapi.json', () => {
  it('serves the document outside production, with appUrl + basePath as its server', async () => {
    const res = await get({ http: { basePath: '/auth' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { servers: unknown; paths: unknown };
    expect(body.servers).toEqual([{ url: 'https://app.example.com/auth' }]);
    expect(body).toEqual(servedDocument('https://app.example.com/auth'));
  });

  it('is not served when http.openapi is false: 404 like any unknown route', async () => {
    const res = await get({ http: { openapi: false } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('is off by default in production, and can be turned on there', async () => {
    const production = { production: true, mailer: { send: async () => {} } };
    expect((await get(production)).status).toBe(404);
    expect((await get({ ...production, http: { openapi: true } })).status).toBe(200);
  });

  it('refuses a non-boolean http.openapi with CONFIG_INVALID', () => {
    expect(() => auth({ http: { openapi: 'yes' as unknown as boolean } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
