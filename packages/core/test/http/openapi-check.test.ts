import { describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../../src/http/openapi/document.js';
import type { Exchange } from '../../src/testing/http-contract/client.js';
import { type Schema, validateJsonSchema } from '../../src/testing/http-contract/json-schema.js';
import { OpenApiChecker } from '../../src/testing/http-contract/openapi.js';

const user = {
  id: 'u1',
  email: 'ann@example.com',
  emailVerified: true,
  username: null,
  firstName: 'Ann',
  lastName: null,
  twoFactorEnabled: false,
  roles: [],
  createdAt: '2026-01-01T00:00:00.000Z',
};
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const check = (schema: Schema, value: unknown) =>
  validateJsonSchema(schema, value, OPENAPI_DOCUMENT);

describe('json-schema: the subset validator the contract suite checks responses with', () => {
  it('accepts a body of the documented shape', () => {
    expect(check(ref('UserResponse'), { user })).toEqual([]);
    expect(
      check(ref('LoginResponse'), {
        status: 'two_factor_required',
        challenge: 'c',
        methods: ['totp'],
      }),
    ).toEqual([]);
  });

  it('refuses a leaked key (additionalProperties false), a missing key and a wrong type', () => {
    expect(check(ref('User'), { ...user, passwordHash: '$argon2id$…' })).toEqual([
      '$.passwordHash: not allowed (additionalProperties is false)',
    ]);
    const { email: _e, ...missing } = user;
    expect(check(ref('User'), missing)).toEqual(['$: missing "email"']);
    expect(check(ref('User'), { ...user, emailVerified: 'yes' })).toEqual([
      '$.emailVerified: expected boolean, got string',
    ]);
  });

  it('refuses null where the contract has no null, and accepts it where it has', () => {
    expect(check(ref('User'), { ...user, email: null })).not.toEqual([]);
    expect(check(ref('User'), { ...user, lastName: null })).toEqual([]);
  });

  it('refuses a value outside an enum or const, and a time that is not date-time', () => {
    expect(
      check(ref('TwoFactorRequired'), {
        status: 'two_factor_required',
        challenge: 'c',
        methods: ['push'],
      }),
    ).not.toEqual([]);
    expect(check(ref('Verified'), { status: 'verification_sent' })).not.toEqual([]);
    expect(check(ref('User'), { ...user, createdAt: 'yesterday' })).toEqual([
      '$.createdAt: not a date-time',
    ]);
  });

  it('applies anyOf (signed-in bodies of either strategy) and allOf (error codes per status)', () => {
    const jwt = { status: 'signed_in', user, accessToken: 'a', expiresIn: 900 };
    expect(check(ref('SignedIn'), jwt)).toEqual([]);
    expect(check(ref('SignedIn'), { ...jwt, expiresIn: 1.5 })).not.toEqual([]);
    expect(
      check(ref('SignedIn'), { ...jwt, session: { id: 's', expiresAt: user.createdAt } }),
    ).not.toEqual([]);
    const login429 = OPENAPI_DOCUMENT.paths['/login']?.post?.responses['429'];
    const schema = login429?.content?.['application/json']?.schema ?? false;
    expect(check(schema, { error: { code: 'RATE_LIMITED', message: 'm' } })).toEqual([]);
    expect(check(schema, { error: { code: 'UNAUTHENTICATED', message: 'm' } })).not.toEqual([]);
    expect(
      check(schema, { error: { code: 'RATE_LIMITED', message: 'm', stack: 'at …' } }),
    ).not.toEqual([]);
  });

  it('checks lengths, patterns and oneOf', () => {
    expect(check({ type: 'string', minLength: 2, maxLength: 3, pattern: '^a' }, 'abcd')).toEqual([
      '$: longer than 3',
    ]);
    expect(check({ type: 'string', pattern: '^a' }, 'b')).toEqual(['$: does not match ^a']);
    expect(check({ oneOf: [{ type: 'string' }, { type: 'string' }] }, 'x')).not.toEqual([]);
    expect(check({ type: 'array', items: { type: 'integer' }, maxItems: 1 }, [1, 2])).toEqual([
      '$: more than 1 items',
    ]);
  });

  it('throws on a keyword outside its subset instead of passing silently', () => {
    expect(() => check({ type: 'string', if: { const: 'a' } }, 'a')).toThrow(
      /unsupported keyword "if"/,
    );
    expect(() => check({ $ref: '#/components/schemas/Nope' }, 1)).toThrow(/unresolved/);
  });
});

function exchange(over: Partial<Exchange>): Exchange {
  return {
    method: 'GET',
    path: '/api/auth/user',
    status: 200,
    headers: [['content-type', 'application/json; charset=utf-8']],
    setCookies: [],
    body: JSON.stringify({ user }),
    ...over,
  };
}

describe('OpenApiChecker: every response of the contract suite against the document', () => {
  it('passes a documented status with a matching body, and records it', () => {
    const checker = new OpenApiChecker('/api/auth');
    checker.check(exchange({}));
    checker.check(
      exchange({ method: 'DELETE', path: '/api/auth/sessions/abc_1/', status: 204, body: '' }),
    );
    expect(checker.report()).toBe('DELETE /sessions/{id}: 204×1\nGET /user: 200×1');
    expect(checker.violations).toEqual([]);
  });

  it('fails a status the document does not give the route', () => {
    const checker = new OpenApiChecker('/api/auth');
    const body = JSON.stringify({ error: { code: 'USERNAME_TAKEN', message: 'm' } });
    expect(() => checker.check(exchange({ status: 409, body }))).toThrow(
      /status 409 is not documented for GET \/user/,
    );
    expect(checker.violations).toHaveLength(1);
  });

  it('fails a code the route does not answer with that status', () => {
    const checker = new OpenApiChecker('/api/auth');
    const body = JSON.stringify({ error: { code: 'INVALID_CREDENTIALS', message: 'm' } });
    expect(() => checker.check(exchange({ status: 401, body }))).toThrow(/\$\.error\.code/);
  });

  it('fails a body where the document has none (204), and a body that is not the schema', () => {
    const checker = new OpenApiChecker('/api/auth');
    expect(() =>
      checker.check(
        exchange({ method: 'POST', path: '/api/auth/logout', status: 204, body: '{}' }),
      ),
    ).toThrow(/no body/);
    expect(() => checker.check(exchange({ body: JSON.stringify({ user: { id: 1 } }) }))).toThrow(
      /OpenAPI document: GET \/api\/auth\/user answered 200/,
    );
  });

  it('expects 404 NOT_FOUND for unknown paths and 405 METHOD_NOT_ALLOWED for other methods', () => {
    const checker = new OpenApiChecker('/api/auth');
    const error = (code: string) => JSON.stringify({ error: { code, message: 'm' } });
    checker.check(exchange({ path: '/api/auth/nope', status: 404, body: error('NOT_FOUND') }));
    checker.check(
      exchange({ path: '/api/auth/login', status: 405, body: error('METHOD_NOT_ALLOWED') }),
    );
    expect(() =>
      checker.check(exchange({ path: '/api/auth/nope', status: 200, body: error('NOT_FOUND') })),
    ).toThrow(/expected 404 NOT_FOUND/);
    expect(() =>
      checker.check(exchange({ path: '/api/auth/login', status: 405, body: error('NOT_FOUND') })),
    ).toThrow(/expected code METHOD_NOT_ALLOWED/);
  });

  it('lists the documented operations a run never exercised', () => {
    const checker = new OpenApiChecker('/api/auth');
    checker.check(exchange({}));
    expect(checker.unseen()).toContain('POST /login');
    expect(checker.unseen()).not.toContain('GET /user');
  });
});
