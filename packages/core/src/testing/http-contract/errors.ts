import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import {
  expectError,
  expectNoStack,
  expectOk,
  expectSignedIn,
  expectValidation,
} from './expect.js';

/** Every route of the Identity and Account tables, with a method it answers. */
export const ROUTES: readonly (readonly [string, string])[] = [
  ['POST', '/register'],
  ['POST', '/email/verify'],
  ['POST', '/email/verify/resend'],
  ['POST', '/login'],
  ['POST', '/token/refresh'],
  ['POST', '/logout'],
  ['POST', '/logout/all'],
  ['GET', '/session'],
  ['GET', '/sessions'],
  ['DELETE', '/sessions/some-id'],
  ['GET', '/csrf'],
  ['GET', '/jwks.json'],
  ['GET', '/user'],
  ['PATCH', '/user'],
  ['POST', '/user/email'],
  ['POST', '/user/email/confirm'],
  ['POST', '/password/change'],
  ['POST', '/password/reset'],
  ['POST', '/password/reset/confirm'],
  ['DELETE', '/user'],
  ['GET', '/audit'],
];

/** Unsafe routes that read a body and need no session. */
const BODY_ROUTES = [
  '/register',
  '/email/verify',
  '/email/verify/resend',
  '/login',
  '/password/reset',
  '/password/reset/confirm',
  '/user/email/confirm',
];

/** Bodies that are valid JSON of the wrong shape, or hostile. */
const ODD_BODIES: readonly string[] = [
  'null',
  '[]',
  '"a string"',
  '42',
  'true',
  '{"email":{"$ne":null},"password":["x"],"token":{},"identifier":1e999}',
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
  `${'['.repeat(2000)}${']'.repeat(2000)}`,
  '{"email":"\\ud800@example.com","password":"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}',
];

/** Options of {@link describeProtocol}. */
export interface ProtocolOptions {
  /** Whether the server hands the raw body to the handler (malformed JSON, 413, 415 checks). */
  readonly rawBody: boolean;
}

/** Bodies, content types, size limits, unknown routes and methods, trailing slashes. */
export function describeProtocol(ctx: ContractContext, options: ProtocolOptions): void {
  describe('protocol', () => {
    if (options.rawBody) {
      it.each(BODY_ROUTES)('answers malformed JSON on %s with 400 BAD_REQUEST', async (route) => {
        const res = await ctx.client().request('POST', route, {
          raw: '{"email": "a@example.com", ',
          contentType: 'application/json',
        });
        expectError(res, 400, 'BAD_REQUEST');
      });

      it('answers a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
        const account = await ctx.signUp();
        const res = await ctx.client().request('POST', '/login', {
          raw: JSON.stringify({ identifier: account.email, password: account.password }),
          contentType: 'text/plain;charset=UTF-8',
        });
        expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });

      it('answers a body over 16 KiB with 413 PAYLOAD_TOO_LARGE, with or without Content-Length', async () => {
        const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(17 * 1024) });
        const sized = await ctx.client().request('POST', '/register', {
          raw: big,
          contentType: 'application/json',
        });
        expectError(sized, 413, 'PAYLOAD_TOO_LARGE');
        const bytes = new TextEncoder().encode(big);
        const chunked = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 4096)
              controller.enqueue(bytes.slice(i, i + 4096));
            controller.close();
          },
        });
        const streamed = await ctx.client().request('POST', '/register', {
          raw: chunked,
          contentType: 'application/json',
        });
        expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
      });

      it.each(ODD_BODIES)('never answers 5xx or a stack trace to the JSON body %#', async (raw) => {
        for (const route of BODY_ROUTES) {
          const res = await ctx.client().request('POST', route, {
            raw,
            contentType: 'application/json',
          });
          // Some of them are acceptable input (a resend or reset answers 202 whatever the
          // address); none may break the server.
          expect(res.status, `${route}: ${res.text}`).toBeLessThan(500);
          if (res.status >= 400) expectError(res, res.status, String(errorCode(res.body)));
          expectNoStack(res.text);
        }
      });
    }

    it('accepts JSON with a charset parameter and form bodies on the same routes', async () => {
      const account = ctx.newAccount();
      const form = { email: account.email, password: account.password, username: account.username };
      expect(expectOk(await ctx.client().request('POST', '/register', { form }), 202)).toEqual({
        status: 'verification_sent',
      });
      const token = await ctx.mailToken(account.email, 'verify-email');
      const verified = await ctx.client().request('POST', '/email/verify', {
        raw: JSON.stringify({ token }),
        contentType: 'application/json; charset=utf-8',
      });
      expect(expectOk(verified)).toEqual({ status: 'verified' });
      const login = await ctx.client().request('POST', '/login', {
        form: { identifier: account.username, password: account.password },
      });
      expectSignedIn(ctx, login);
    });

    it('answers wrong field types with 400 VALIDATION_FAILED naming each field', async () => {
      const res = await ctx.client().request('POST', '/register', {
        json: { email: ['a@example.com'], password: 12345678901 },
      });
      expectValidation(res, ['email', 'password']);
    });

    it('answers an unknown route with 404 NOT_FOUND', async () => {
      for (const route of ['/nope', '/login/extra', '/user/email/confirm/x', '/']) {
        expectError(await ctx.client().request('GET', route), 404, 'NOT_FOUND');
        expectError(await ctx.client().request('POST', route, { json: {} }), 404, 'NOT_FOUND');
      }
    });

    it.each(ROUTES)(
      'answers a method other than %s on %s with 405 METHOD_NOT_ALLOWED',
      async (method, route) => {
        const other = method === 'GET' ? 'PUT' : method === 'POST' ? 'GET' : 'PUT';
        const res = await ctx.client().request(other, route);
        expectError(res, 405, 'METHOD_NOT_ALLOWED');
        // RFC 9110 15.5.6: a 405 lists the methods the resource has.
        expect(res.headers.get('allow') ?? '').toContain(method);
      },
    );

    it.each(ROUTES)(
      'answers %s %s/ like the route without the trailing slash',
      async (method, route) => {
        const json = method === 'GET' ? undefined : {};
        const options = json === undefined ? {} : { json };
        const bare = await ctx.client().request(method, route, options);
        const slashed = await ctx.client().request(method, `${route}/`, options);
        // With HS256, `/jwks.json` is the contract's own 404.
        if (route !== '/jwks.json') expect(errorCode(bare.body)).not.toBe('NOT_FOUND');
        expect({ status: slashed.status, error: errorCode(slashed.body) }).toEqual({
          status: bare.status,
          error: errorCode(bare.body),
        });
      },
    );

    it('signs in through a trailing-slash route', async () => {
      const account = await ctx.signUp();
      const res = await ctx.client().request('POST', '/login/', {
        json: { identifier: account.email, password: account.password },
      });
      expectSignedIn(ctx, res);
    });
  });
}

function errorCode(body: unknown): unknown {
  return (body as { error?: { code?: unknown } } | undefined)?.error?.code;
}
