/**
 * Values for request bodies, from the request schemas of the OpenAPI document: valid ones
 * (within `type`, `minLength`/`maxLength`, `format`, `pattern`, `enum`) and mutated ones (a
 * required field missing, a wrong type, a hostile string, extra and prototype keys).
 */
import fc from 'fast-check';
import type { JsonSchema } from './document.js';

/**
 * Placeholders the harness swaps for live values when it sends a request: the account's
 * password, the newest token from the mailbox, the caller's refresh token.
 */
export const PLACEHOLDER = {
  password: '\u{E000}password',
  email: '\u{E000}email',
  mailToken: '\u{E000}mail-token',
  refreshToken: '\u{E000}refresh-token',
} as const;

/** Strings that have broken servers: control characters, lone surrogates, odd Unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'line\r\nbreak',
  'a\nb@example.com',
  'tab\there',
  '\u0007bell',
  '\u007f',
  '\u0085next-line',
  'a\uD800b',
  '\uDC00',
  '\uD83D',
  '😀😀😀',
  '\u202Eevil',
  'zero\u200Bwidth',
  'ﬁ ligature',
  'e\u0301\u0301\u0301',
  'İstanbul',
  'ß@example.com',
  'user@exa\u0000mple.com',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '#{7*7}',
  '../../etc/passwd',
  '%00',
  '__proto__',
  'constructor',
  '1e309',
  '-0',
  'null',
  'x'.repeat(1025),
  'é'.repeat(3000),
  '\uD800'.repeat(40),
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
);

/** Any JSON value, the odd ones likelier. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 2 ** 53 + 1, [], {}),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  fc.constant(JSON.parse('{"__proto__": {"isAdmin": true}}') as unknown),
  fc.constant(nested(60)),
  hostileString,
);

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** A valid value for one string field, with the field's meaning in mind. */
function validString(name: string, schema: JsonSchema): fc.Arbitrary<string> {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 256;
  // Valid means valid to the server too: no C0 control or DEL (passwords: no NUL).
  const allowed = (s: string) =>
    /password/i.test(name) ? !s.includes('\u0000') : ![...s].some((c) => c < ' ' || c === '\u007f');
  const bounded = (arb: fc.Arbitrary<string>) =>
    arb.filter((s) => s.length >= min && s.length <= max && allowed(s));
  if (schema.format === 'email') {
    return fc.oneof(
      bounded(fc.emailAddress({ size: 'small' })),
      fc.constantFrom('ada@example.com', 'Ada@Example.COM', PLACEHOLDER.email),
    );
  }
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern));
  }
  if (/password/i.test(name)) {
    return fc.oneof(
      { arbitrary: fc.constant(PLACEHOLDER.password), weight: 2 },
      {
        arbitrary: bounded(fc.string({ unit: 'grapheme', minLength: min, maxLength: 40 })),
        weight: 3,
      },
    );
  }
  if (name === 'username') {
    // The server's rule (`users/normalize.ts`), stricter than the document's length bounds.
    return fc.stringMatching(/^[a-z0-9][a-z0-9._-]{2,31}$/);
  }
  if (name === 'identifier') {
    return fc.oneof(
      fc.constant(PLACEHOLDER.email),
      bounded(fc.string({ minLength: min, maxLength: 40 })),
    );
  }
  if (name === 'token') {
    return fc.oneof(
      fc.constant(PLACEHOLDER.mailToken),
      bounded(fc.base64String({ minLength: 4, maxLength: 64 })),
    );
  }
  if (name === 'refreshToken') {
    return fc.oneof(fc.constant(PLACEHOLDER.refreshToken), fc.base64String({ maxLength: 64 }));
  }
  if (name === 'code') {
    return fc.oneof(fc.stringMatching(/^\d{6}$/), fc.stringMatching(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/));
  }
  return bounded(
    fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: Math.min(max, 40) }),
  );
}

/** A valid value for one field of a request schema. */
function validField(name: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.anyOf)) {
    return fc.oneof(...(schema.anyOf as JsonSchema[]).map((s) => validField(name, s)));
  }
  switch (schema.type) {
    case 'string':
      return validString(name, schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return wrongValue;
  }
}

/** The properties and required names of an object schema. */
function shape(schema: JsonSchema) {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return { properties, required };
}

/** A body that the schema accepts: every required field, some optional ones. */
export function validBody(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const { properties, required } = shape(schema);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, field] of Object.entries(properties)) record[name] = validField(name, field);
  return fc.record(record, { requiredKeys: [...required] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/** One change that makes a valid body invalid, or at least unusual. */
type Mutation =
  | { kind: 'drop'; index: number }
  | { kind: 'replace'; index: number; value: unknown }
  | { kind: 'extra'; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
  {
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      index: fc.nat(),
      value: wrongValue,
    }),
    weight: 4,
  },
  fc.record({
    kind: fc.constant('extra' as const),
    key: fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'role', 'userId', ''),
      fc.string({ maxLength: 12 }),
    ),
    value: wrongValue,
  }),
);

/** A valid body with one to three {@link Mutation}s applied, keys in a null-prototype object. */
export function mutatedBody(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(shape(schema).properties);
  return fc
    .tuple(validBody(schema), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([body, changes]) => {
      const out: Record<string, unknown> = Object.assign(Object.create(null), body);
      for (const change of changes) {
        if (change.kind === 'extra') {
          // defineProperty: a `__proto__` key must be an own property, as JSON.parse makes it.
          define(out, change.key, change.value);
          continue;
        }
        const name = names.length === 0 ? 'field' : (names[change.index % names.length] as string);
        if (change.kind === 'drop') delete out[name];
        else define(out, name, change.value);
      }
      return out;
    });
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
