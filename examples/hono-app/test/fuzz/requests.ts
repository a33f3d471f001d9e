/**
 * Requests of the fuzz, derived from the OpenAPI document: every operation with valid,
 * mutated, malformed, mistyped and oversized bodies (JSON or form), with or without the
 * caller's credentials, with stray headers; other methods on documented paths; unknown paths.
 */
import fc from 'fast-check';
import type { Operation } from './document.js';
import { HOSTILE_STRINGS, mutatedBody, validBody, wrongValue } from './values.js';

/**
 * The credentials the harness attaches: none; the signed-in caller's (session cookie with the
 * CSRF token and a trusted origin, or a Bearer access token); the session cookie without the
 * CSRF header; the refresh cookie; a forged one.
 */
export type Credential = 'none' | 'session' | 'session-no-csrf' | 'refresh-cookie' | 'forged';

/** A body as sent: JSON or a form (placeholders swapped first), or raw bytes. */
export type BodyPlan =
  | { readonly kind: 'json'; readonly value: unknown; readonly contentType: string | undefined }
  | {
      readonly kind: 'form';
      readonly value: Readonly<Record<string, unknown>>;
      readonly contentType: string | undefined;
    }
  | { readonly kind: 'raw'; readonly text: string; readonly contentType: string | undefined }
  | {
      readonly kind: 'bytes';
      readonly bytes: Uint8Array;
      readonly contentType: string | undefined;
    };

/** One request of the fuzz. */
export interface FuzzRequest {
  /** What was generated, for the failure message: `POST /login (mutated json)`. */
  readonly label: string;
  readonly method: string;
  /** From the server's root, with the base path and any query. */
  readonly path: string;
  readonly credential: Credential;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: BodyPlan | undefined;
}

/** Methods Node's HTTP parser accepts (others never reach the app); TRACE included. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PURGE'];

/** A header value Node's client accepts: visible ASCII and spaces. */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

/** A long one: Node refuses more than 16 KiB of headers (431) before the app sees them. */
const longValue = fc.nat({ max: 8000 }).map((n) => 'a'.repeat(n));

const origin = fc.oneof(
  fc.constantFrom(
    'https://evil.example',
    'null',
    'http://localhost',
    'http://127.0.0.1:1',
    'file://',
  ),
  headerValue,
);

/** Headers a client may add on its own, or an attacker on purpose. */
const strayHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    origin,
    'sec-fetch-site': fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', 'junk'),
    'x-forwarded-for': fc.oneof(
      fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'unknown, , ,', '999.999.1.1', '[::1]:80'),
      headerValue,
    ),
    accept: fc.constantFrom('text/html', '*/*', 'application/xml;q=0.1', 'junk/', ''),
    'user-agent': headerValue,
    'x-csrf-token': headerValue,
    cookie: fc.oneof(
      headerValue,
      fc.constantFrom('__Host-portcullis.session=x', '__Host-portcullis.csrf=; a=b;;', '=;=;'),
    ),
    authorization: fc.oneof(
      fc.constantFrom('Bearer ', 'Bearer a.b.c', 'Basic YTpi', 'bearer x', 'Bearer a b'),
      headerValue.map((v) => `Bearer ${v}`),
      fc.integer({ min: 4000, max: 5000 }).map((n) => `Bearer ${'A'.repeat(n)}`),
    ),
    'x-fuzz-padding': longValue,
    'accept-language': headerValue,
  },
  { requiredKeys: [] },
);

/** A Content-Type: the right one, a wrong one, or one with parameters. */
function contentType(right: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: fc.constant(right), weight: 6 },
    fc.constantFrom(
      undefined,
      `${right}; charset=utf-8`,
      `${right.toUpperCase()}; charset=latin1`,
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/json-patch+json',
      'application/xml',
      '',
      'application/x-www-form-urlencoded',
      'application/json',
    ),
  );
}

/** Bodies for an operation that takes `schema`, or for one that takes none. */
function bodies(operation: Operation): fc.Arbitrary<[string, BodyPlan | undefined]> {
  const schema = operation.bodySchema ?? { type: 'object', properties: {} };
  const json = (value: fc.Arbitrary<unknown>) =>
    fc
      .tuple(value, contentType('application/json'))
      .map(([v, type]): BodyPlan => ({ kind: 'json', value: v, contentType: type }));
  const form = (value: fc.Arbitrary<Record<string, unknown>>) =>
    fc
      .tuple(value, contentType('application/x-www-form-urlencoded'))
      .map(([v, type]): BodyPlan => ({ kind: 'form', value: v, contentType: type }));
  const raw = (text: fc.Arbitrary<string>) =>
    fc
      .tuple(text, contentType('application/json'))
      .map(([t, type]): BodyPlan => ({ kind: 'raw', text: t, contentType: type }));
  const labelled = (label: string, arb: fc.Arbitrary<BodyPlan | undefined>) =>
    arb.map((plan): [string, BodyPlan | undefined] => [label, plan]);
  return fc.oneof(
    { arbitrary: labelled('valid json', json(validBody(schema))), weight: 6 },
    { arbitrary: labelled('mutated json', json(mutatedBody(schema))), weight: 6 },
    { arbitrary: labelled('valid form', form(validBody(schema))), weight: 2 },
    { arbitrary: labelled('mutated form', form(mutatedBody(schema))), weight: 2 },
    labelled('no body', fc.constant(undefined)),
    labelled('json of another shape', json(wrongValue)),
    labelled(
      'malformed json',
      raw(
        fc.oneof(
          fc.constantFrom(
            '{',
            '{"a":',
            '{"a":1,}',
            "{'a':1}",
            '[',
            'nul',
            '{"a":"\\uZZZZ"}',
            '\u0000',
          ),
          fc.string({ maxLength: 30 }),
          fc.constantFrom(...HOSTILE_STRINGS).map((s) => `{"password":"${s}"}`),
        ),
      ),
    ),
    labelled(
      'oversized',
      fc.oneof(
        json(fc.nat({ max: 40_000 }).map((n) => ({ password: 'x'.repeat(16_000 + n) }))),
        raw(fc.constant(`{"a":"${'y'.repeat(17_000)}"}`)),
      ),
    ),
    labelled(
      'raw bytes',
      fc
        .tuple(fc.uint8Array({ maxLength: 64 }), contentType('application/json'))
        .map(([bytes, type]): BodyPlan => ({ kind: 'bytes', bytes, contentType: type })),
    ),
  );
}

/** Who sends it: weights favour the cases an operation's `security` calls for. */
function credential(operation: Operation): fc.Arbitrary<Credential> {
  const secured = (operation.spec.security ?? []).some((s) => Object.keys(s).length > 0);
  return fc.oneof(
    { arbitrary: fc.constant<Credential>('session'), weight: secured ? 6 : 2 },
    { arbitrary: fc.constant<Credential>('none'), weight: 3 },
    fc.constantFrom<Credential>('session-no-csrf', 'refresh-cookie', 'forged'),
  );
}

/** A path parameter: a well-formed id, or one the router refuses. */
const param = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.constantFrom('%2e%2e', '%00', 'a%20b', 'x'.repeat(65), '%F0%9F%98%80', '%uD800'),
);

/** A query string, mostly none. */
const query = fc.oneof(
  { arbitrary: fc.constant(''), weight: 4 },
  fc.constantFrom('?', '?a=1&a=2', '?__proto__[x]=1', '?token=abc', '?%00=%00'),
);

/** A request to one documented operation: its method mostly, sometimes another. */
function operationRequest(operation: Operation, basePath: string): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.oneof(
        { arbitrary: fc.constant(operation.method), weight: 8 },
        fc.constantFrom(...METHODS),
      ),
      params: fc.array(param, { minLength: 2, maxLength: 2 }),
      slash: fc.boolean(),
      query,
      body: bodies(operation),
      credential: credential(operation),
      headers: strayHeaders,
    })
    .map(({ method, params, slash, query: q, body, credential: who, headers }) => {
      let i = 0;
      const route = operation.template.replace(/\{[^}]+\}/g, () => params[i++] ?? 'x');
      const path = `${basePath}${route}${slash ? '/' : ''}${q}`;
      return {
        label: `${method} ${operation.template} (${body[0]}, ${who})`,
        method,
        path,
        credential: who,
        headers,
        body: body[1],
      };
    });
}

/** A path segment that is no route: letters, digits and escapes, never `.` or `..`. */
const segment = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_~%2F'.split('')),
    minLength: 1,
    maxLength: 12,
  })
  .filter((s) => !/%(?![0-9A-Fa-f]{2})/.test(s));

/** Unknown paths under the base path, and paths of the app around it. */
function otherRequest(basePath: string, appPaths: readonly string[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      path: fc.oneof(
        fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `${basePath}/${s.join('/')}`),
        fc.array(segment, { minLength: 0, maxLength: 3 }).map((s) => `/${s.join('/')}`),
        fc.constantFrom(basePath, `${basePath}/`, ...appPaths),
      ),
      credential: fc.constantFrom<Credential>('none', 'session', 'forged'),
      headers: strayHeaders,
      body: fc.option(
        fc.record({
          kind: fc.constant('json' as const),
          value: wrongValue,
          contentType: contentType('application/json'),
        }),
        { nil: undefined },
      ),
    })
    .map((r) => ({ ...r, label: `${r.method} ${r.path} (unknown or app route, ${r.credential})` }));
}

/**
 * Requests to every operation of the document (each equally likely) and, one in ten, to an
 * unknown path or to one of `appPaths` (the example's own routes).
 */
export function fuzzRequest(
  operations: readonly Operation[],
  basePath: string,
  appPaths: readonly string[],
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { arbitrary: fc.oneof(...operations.map((op) => operationRequest(op, basePath))), weight: 9 },
    { arbitrary: otherRequest(basePath, appPaths), weight: 1 },
  );
}
