/**
 * A small JSON Schema (draft 2020-12) validator for the subset the OpenAPI document of the
 * contract uses: `type` (also arrays of types, for nullable), `const`, `enum`, `properties`,
 * `required`, `additionalProperties`, `propertyNames`, `items`, `minItems`/`maxItems`,
 * `minLength`/`maxLength`, `pattern`, `minimum`/`maximum`, `format: date-time`, `allOf`,
 * `anyOf`, `oneOf` and local `$ref`s (`#/components/schemas/…`). A keyword outside the subset
 * throws rather than passing silently, so the document cannot outgrow its checker unnoticed.
 * Written here so that `@portcullis/core/testing` has no validator dependency.
 */

/** A schema: an object, or `true`/`false`. */
export type Schema = boolean | { readonly [keyword: string]: unknown };

/** Keywords that say something about a value but constrain nothing. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
]);

const KEYWORDS = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'format',
  'allOf',
  'anyOf',
  'oneOf',
]);

// RFC 3339 date-time, as `Date#toISOString` and other servers write it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Validates `value` against `schema`; `$ref`s resolve against `root` (the OpenAPI document).
 * Resolves to the problems found, each as `path: what`; empty when the value is valid.
 * @throws Error for a keyword outside the subset, or a `$ref` that does not resolve.
 */
export function validateJsonSchema(schema: Schema, value: unknown, root: unknown): string[] {
  const errors: string[] = [];
  check(schema, value, '$', root, errors);
  return errors;
}

function check(schema: Schema, value: unknown, path: string, root: unknown, errors: string[]) {
  if (schema === true) return;
  if (schema === false) {
    errors.push(`${path}: no value is allowed here`);
    return;
  }
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`json-schema: unsupported keyword "${keyword}" at ${path}`);
    }
  }
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') check(resolve(s.$ref, root), value, path, root, errors);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => hasType(value, t))) {
      errors.push(`${path}: expected ${types.join(' or ')}, got ${typeName(value)}`);
      return;
    }
  }
  if ('const' in s && !equal(value, s.const)) {
    errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(value, e))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  }
  if (typeof value === 'string') checkString(s, value, path, errors);
  if (typeof value === 'number') checkNumber(s, value, path, errors);
  if (Array.isArray(value)) checkArray(s, value, path, root, errors);
  else if (isObject(value)) checkObject(s, value, path, root, errors);
  checkCombinators(s, value, path, root, errors);
}

function checkString(s: Record<string, unknown>, value: string, path: string, errors: string[]) {
  const length = [...value].length;
  if (typeof s.minLength === 'number' && length < s.minLength) {
    errors.push(`${path}: shorter than ${s.minLength}`);
  }
  if (typeof s.maxLength === 'number' && length > s.maxLength) {
    errors.push(`${path}: longer than ${s.maxLength}`);
  }
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) {
    errors.push(`${path}: does not match ${s.pattern}`);
  }
  if (s.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
    errors.push(`${path}: not a date-time`);
  }
}

function checkNumber(s: Record<string, unknown>, value: number, path: string, errors: string[]) {
  if (typeof s.minimum === 'number' && value < s.minimum) {
    errors.push(`${path}: less than ${s.minimum}`);
  }
  if (typeof s.maximum === 'number' && value > s.maximum) {
    errors.push(`${path}: more than ${s.maximum}`);
  }
}

function checkArray(
  s: Record<string, unknown>,
  value: readonly unknown[],
  path: string,
  root: unknown,
  errors: string[],
) {
  if (typeof s.minItems === 'number' && value.length < s.minItems) {
    errors.push(`${path}: fewer than ${s.minItems} items`);
  }
  if (typeof s.maxItems === 'number' && value.length > s.maxItems) {
    errors.push(`${path}: more than ${s.maxItems} items`);
  }
  if (s.items !== undefined) {
    value.forEach((item, i) => {
      check(s.items as Schema, item, `${path}[${i}]`, root, errors);
    });
  }
}

function checkObject(
  s: Record<string, unknown>,
  value: Record<string, unknown>,
  path: string,
  root: unknown,
  errors: string[],
) {
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  for (const name of (s.required ?? []) as string[]) {
    if (!Object.hasOwn(value, name)) errors.push(`${path}: missing "${name}"`);
  }
  for (const [name, item] of Object.entries(value)) {
    const at = `${path}.${name}`;
    if (s.propertyNames !== undefined) check(s.propertyNames as Schema, name, at, root, errors);
    if (Object.hasOwn(properties, name)) {
      check(properties[name] as Schema, item, at, root, errors);
    } else if (s.additionalProperties === false) {
      errors.push(`${at}: not allowed (additionalProperties is false)`);
    } else if (s.additionalProperties !== undefined) {
      check(s.additionalProperties as Schema, item, at, root, errors);
    }
  }
}

function checkCombinators(
  s: Record<string, unknown>,
  value: unknown,
  path: string,
  root: unknown,
  errors: string[],
) {
  for (const sub of (s.allOf ?? []) as Schema[]) check(sub, value, path, root, errors);
  const passing = (list: Schema[]) =>
    list.filter((sub) => validateJsonSchema(sub, value, root).length === 0).length;
  if (Array.isArray(s.anyOf) && passing(s.anyOf as Schema[]) === 0) {
    errors.push(`${path}: matches none of anyOf (${describe(s.anyOf as Schema[], value, root)})`);
  }
  if (Array.isArray(s.oneOf)) {
    const n = passing(s.oneOf as Schema[]);
    if (n !== 1) errors.push(`${path}: matches ${n} of oneOf, not exactly one`);
  }
}

/** The first problem under each alternative, for a readable anyOf failure. */
function describe(list: readonly Schema[], value: unknown, root: unknown): string {
  return list.map((sub, i) => `${i}: ${validateJsonSchema(sub, value, root)[0]}`).join('; ');
}

function resolve(ref: string, root: unknown): Schema {
  if (!ref.startsWith('#/')) throw new Error(`json-schema: only local $refs, not ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  if (node === undefined) throw new Error(`json-schema: unresolved $ref ${ref}`);
  return node as Schema;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      throw new Error(`json-schema: unknown type "${type}"`);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
