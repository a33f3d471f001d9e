/**
 * Bodies that break their schema in exactly one field, sent by a caller who may call the
 * operation: each must be `400 VALIDATION_FAILED` with a detail naming that field (issue 15:
 * `{}` or a non-string or over-long password on `/reauthenticate`, a non-string
 * `refreshToken`, a NUL, another control character or a lone surrogate in any string field).
 */
import fc from 'fast-check';
import type { FuzzAnswer } from './checks.js';
import type { JsonSchema, Operation } from './document.js';
import type { Credential, FuzzRequest } from './requests.js';
import { PLACEHOLDER, validBody } from './values.js';

/** One broken body, and the field it breaks. */
export interface InvalidCase {
  readonly request: FuzzRequest;
  readonly field: string;
}

/**
 * Minimal cases of a bug the fuzz found (fixed in issue 15): `POST /reauthenticate` checked the
 * password before looking at `code` and `method`, so a broken `method` was a counted
 * `PASSWORD_INCORRECT` and a `code` sent without 2FA gave the session an unchecked `amr`. Each
 * must be 400 VALIDATION_FAILED naming the field.
 */
export function regressionCases(basePath: string): InvalidCase[] {
  const reauth = (value: Record<string, unknown>, field: string): InvalidCase => ({
    field,
    request: {
      label: `POST /reauthenticate ${JSON.stringify(value)}`,
      method: 'POST',
      path: `${basePath}/reauthenticate`,
      credential: 'session',
      headers: {},
      body: { kind: 'json', value, contentType: 'application/json' },
    },
  });
  return [
    reauth({ password: 'not the password', method: 'x\u0000y' }, 'method'),
    reauth({ password: PLACEHOLDER.password, method: 'totp', code: 42 }, 'code'),
  ];
}

/** Characters no string field takes: NUL, other C0 controls, DEL, unpaired surrogates. */
const BAD_IN_TEXT = ['\u0000', '\u0001', '\u001b', '\n', '\r', '\t', '\u007f', '\uD800', '\uDC00'];
/** Passwords take any character but NUL and unpaired surrogates. */
const BAD_IN_PASSWORD = ['\u0000', '\uD800', '\uDFFF'];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What breaks a field: its absence when required, another type, its length, a character. */
function breakers(name: string, schema: JsonSchema, required: boolean): fc.Arbitrary<unknown>[] {
  const out: fc.Arbitrary<unknown>[] = [];
  if (required) out.push(fc.constant(undefined));
  const types = Array.isArray(schema.anyOf)
    ? (schema.anyOf as JsonSchema[]).map((s) => s.type)
    : [schema.type];
  const wrong: unknown[] = [42, true, [], {}, ['a'], { a: 'b' }, -0.5];
  if (!types.includes('null')) wrong.push(null);
  // Not "true"/"on"/"1": a boolean field reads those strings as a form would send them.
  if (types.includes('boolean')) out.push(fc.constantFrom<unknown>('maybe', 2, null, [], {}));
  if (!types.includes('string')) return out;
  out.push(fc.constantFrom(...wrong));
  const string = (
    Array.isArray(schema.anyOf)
      ? (schema.anyOf as JsonSchema[]).find((s) => s.type === 'string')
      : schema
  ) as JsonSchema;
  if (typeof string.maxLength === 'number') {
    const max = string.maxLength;
    out.push(fc.integer({ min: 1, max: 40 }).map((extra) => 'a'.repeat(max + extra)));
  }
  // A refresh token is a credential, checked by its parser before any store: any string that
  // is not one is 401 REFRESH_TOKEN_INVALID, like an unreadable Bearer token or session cookie.
  // Only its type is a validation matter (a non-string is 400).
  if (name === 'refreshToken') return out;
  const bad = /password/i.test(name) ? BAD_IN_PASSWORD : BAD_IN_TEXT;
  out.push(
    fc
      .tuple(
        fc.constantFrom(...bad),
        fc.stringMatching(/^[a-z]{0,6}$/),
        fc.stringMatching(/^[a-z]{0,6}$/),
      )
      // Inside the value: name fields are trimmed first, which takes whitespace off the ends.
      .map(([c, before, after]) => `${before || 'x'}${c}${after || 'y'}`),
  );
  return out;
}

/** Whether the operation's documented 400 answer includes `VALIDATION_FAILED`. */
function documentsValidationFailed(op: Operation): boolean {
  return JSON.stringify(op.spec.responses['400'] ?? {}).includes('"VALIDATION_FAILED"');
}

/** Broken bodies for every operation that takes one, as JSON or (strings only) as a form. */
export function invalidBodies(
  operations: readonly Operation[],
  basePath: string,
): fc.Arbitrary<InvalidCase> {
  const cases = operations.flatMap((op) => {
    const schema = op.bodySchema;
    // Only operations that document a 400 VALIDATION_FAILED: the OAuth callback's form is a
    // provider's answer, and whatever is in it the callback redirects (to the sign-in page).
    if (schema === undefined || !documentsValidationFailed(op)) return [];
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    const secured = (op.spec.security ?? []).some((s) => 'sessionCookie' in s);
    const credential: Credential = secured ? 'session' : 'none';
    // A field nothing here breaks (optional, neither string nor boolean, such as the optional
    // `response` object of `POST /2fa/verify`) is left out: fc.oneof needs one arbitrary.
    const fields = Object.entries(properties)
      .map(
        ([field, fieldSchema]) =>
          [field, breakers(field, fieldSchema, required.has(field))] as const,
      )
      .filter(([, broken]) => broken.length > 0);
    return fields.map(([field, broken]) =>
      fc
        .tuple(validBody(schema), fc.oneof(...broken), fc.boolean())
        .map(([body, value, asForm]): InvalidCase => {
          const broken: Record<string, unknown> = { ...body };
          if (value === undefined) delete broken[field];
          else broken[field] = value;
          // A form is UTF-8 text: a lone surrogate cannot travel in it (it arrives as U+FFFD).
          const form =
            asForm &&
            Object.values(broken).every((v) => typeof v === 'string' && !LONE_SURROGATE.test(v));
          return {
            field,
            request: {
              label: `${op.method} ${op.template} with ${field} broken (${form ? 'form' : 'json'})`,
              method: op.method,
              path: `${basePath}${op.template.replace(/\{[^}]+\}/g, 'x')}`,
              credential,
              headers: {},
              body: form
                ? { kind: 'form', value: broken, contentType: 'application/x-www-form-urlencoded' }
                : { kind: 'json', value: broken, contentType: 'application/json' },
            },
          };
        }),
    );
  });
  return fc.oneof(...cases);
}

/** What is wrong with the answer to a broken body; empty when it is the expected 400. */
export function rejectionProblems(invalid: InvalidCase, answer: FuzzAnswer): string[] {
  if (answer.status !== 400) {
    return [`expected 400 VALIDATION_FAILED, got ${answer.status}: ${answer.body.slice(0, 300)}`];
  }
  const body = JSON.parse(answer.body) as {
    error: { code: string; details?: { path: string; message: string }[] };
  };
  if (body.error.code !== 'VALIDATION_FAILED') {
    return [`expected VALIDATION_FAILED, got ${body.error.code}`];
  }
  const paths = (body.error.details ?? []).map((d) => d.path);
  return paths.includes(invalid.field)
    ? []
    : [`no detail names ${invalid.field}: ${paths.join(', ')}`];
}
