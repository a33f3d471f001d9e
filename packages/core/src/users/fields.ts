/**
 * The app's own user fields (docs/user-fields.md): `createAuth({ user: { fields } })` declares
 * each with a valibot schema; Portcullis validates them where they may be set, stores them in
 * the user's `metadata` under their name, and returns them in the public user (`null` when
 * unset).
 */
import * as v from 'valibot';
import { AuthError, type AuthErrorDetail } from '../errors/auth-error.js';
import { hasLoneSurrogate, parseInput } from '../flows/input.js';
import type { JsonObject, JsonValue } from '../storage/types/json.js';
import type { UserRecord } from '../storage/types/users.js';

/** A synchronous valibot schema of one field's value. */
export type UserFieldSchema = v.GenericSchema<unknown, unknown>;

/**
 * One field of the app: its schema alone (set only by admins and the app), or the schema with
 * where users may set it. Both flags default to `false`, so a field is never user-writable by
 * accident (a `plan` or `credits` field must not be).
 */
export type UserFieldDefinition =
  | UserFieldSchema
  | {
      /** The value's schema; `v.optional(…)` when the field may be absent. */
      readonly schema: UserFieldSchema;
      /** Accepted at registration (`POST /register`, `auth.register`). Default false. */
      readonly input?: boolean;
      /** The user may change it (`PATCH /user`, `auth.users.update`). Default false. */
      readonly editable?: boolean;
    };

/** The `fields` of `createAuth({ user: { fields } })`: name → definition. */
export type UserFieldDefinitions = { readonly [name: string]: UserFieldDefinition };

/** No fields declared: the default of `Auth<F>` (its users are plain public users). */
export type NoUserFields = Record<never, never>;

/** A field as `createAuth` resolved it. */
export interface ResolvedUserField {
  readonly name: string;
  readonly schema: UserFieldSchema;
  readonly input: boolean;
  readonly editable: boolean;
}

/** The schema of a field definition (the definition itself when it is a bare schema). */
export type SchemaOf<D> = D extends { readonly schema: infer S } ? S : D;
/** What a field definition stores (its schema's output, without `undefined`). */
export type OutputOf<D> =
  SchemaOf<D> extends UserFieldSchema ? Exclude<v.InferOutput<SchemaOf<D>>, undefined> : never;
/** What a field definition accepts (its schema's input). */
export type InputOf<D> = SchemaOf<D> extends UserFieldSchema ? v.InferInput<SchemaOf<D>> : never;

/** The field values of a public user: each declared field, `null` when unset. */
export type UserFieldValues<F extends UserFieldDefinitions> = {
  readonly [K in keyof F]: OutputOf<F[K]> | null;
};

/** Field names whose definition has `input: true`. */
export type InputNames<F> = {
  [K in keyof F]: F[K] extends { readonly input: true } ? K : never;
}[keyof F];

/** Field names whose definition has `editable: true`. */
export type EditableNames<F> = {
  [K in keyof F]: F[K] extends { readonly editable: true } ? K : never;
}[keyof F];

/** What registration accepts of the fields (those with `input: true`). */
export type UserFieldInput<F extends UserFieldDefinitions> = {
  [K in InputNames<F>]?: InputOf<F[K]>;
};

/** What `PATCH /user` accepts of the fields (those with `editable: true`; `null` clears). */
export type UserFieldPatch<F extends UserFieldDefinitions> = {
  [K in EditableNames<F>]?: InputOf<F[K]> | null;
};

/** What an admin may set: every field (`null` clears). */
export type UserFieldAdminPatch<F extends UserFieldDefinitions> = {
  [K in keyof F]?: InputOf<F[K]> | null;
};

/**
 * Keys a field may not take: the public user's and the admin user's own, and the names the
 * request bodies that carry fields already use.
 */
const RESERVED = new Set([
  'id',
  'email',
  'emailVerified',
  'username',
  'firstName',
  'lastName',
  'twoFactorEnabled',
  'roles',
  'createdAt',
  'updatedAt',
  'disabled',
  'hasPassword',
  'lastLoginAt',
  'password',
  'newPassword',
  'currentPassword',
  'userId',
  'sessionId',
  'code',
  'method',
  'token',
  'invite',
  'impersonatedBy',
  'metadata',
  'fields',
]);

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * Checks and resolves the configured fields.
 * @throws AuthError `CONFIG_INVALID` naming a bad name (syntax, reserved, `__proto__`) or a value
 * that is not a synchronous valibot schema
 */
export function resolveUserFields(
  fields: UserFieldDefinitions | undefined,
): readonly ResolvedUserField[] {
  if (fields === undefined) return [];
  if (typeof fields !== 'object' || fields === null) {
    throw configError('user.fields must be an object of valibot schemas');
  }
  const out: ResolvedUserField[] = [];
  for (const [name, definition] of Object.entries(fields)) {
    if (!NAME.test(name)) {
      throw configError(
        `user.fields: "${name}" must be 1 to 63 letters, digits or _, starting with a letter`,
      );
    }
    if (RESERVED.has(name)) throw configError(`user.fields: "${name}" is a reserved name`);
    const schema = isSchema(definition) ? definition : definition?.schema;
    if (!isSchema(schema)) {
      throw configError(
        `user.fields.${name} must be a synchronous valibot schema or { schema, input, editable }`,
      );
    }
    const flags: { input?: boolean; editable?: boolean } = isSchema(definition) ? {} : definition;
    out.push(
      Object.freeze({
        name,
        schema,
        input: flags.input === true,
        editable: flags.editable === true,
      }),
    );
  }
  return Object.freeze(out);
}

function isSchema(value: unknown): value is UserFieldSchema {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'schema' &&
    (value as { async?: unknown }).async === false
  );
}

function configError(message: string): AuthError {
  return new AuthError('CONFIG_INVALID', { message });
}

/** The field values of a stored user, each `null` when unset (in declaration order). */
export function readUserFields(
  user: Pick<UserRecord, 'metadata'>,
  fields: readonly ResolvedUserField[],
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const { name } of fields) {
    const value = Object.hasOwn(user.metadata, name) ? user.metadata[name] : undefined;
    out[name] = value === undefined ? null : value;
  }
  return out;
}

/** Where field values come from, which decides which fields may be set. */
export type FieldSource = 'register' | 'profile' | 'admin';

/**
 * Validates the declared fields present in `input` for `source` and returns the values to
 * store (`null`: remove). A field the source may not set is refused, naming it; at
 * registration every `input` field is run through its schema even when absent, so a required
 * one is enforced. Keys that are not declared fields are left to the caller's own schema.
 * @throws AuthError `VALIDATION_FAILED` with one detail per bad field (its name as the path)
 */
export function parseUserFields(
  fields: readonly ResolvedUserField[],
  input: Readonly<Record<string, unknown>>,
  source: FieldSource,
): Record<string, JsonValue | null> {
  const values: Record<string, JsonValue | null> = {};
  const details: { path: string; message: string }[] = [];
  for (const field of fields) {
    const present = Object.hasOwn(input, field.name) && input[field.name] !== undefined;
    const allowed = source === 'admin' || (source === 'register' ? field.input : field.editable);
    if (!allowed) {
      if (present) details.push({ path: field.name, message: `${field.name} cannot be set here` });
      continue;
    }
    if (!present && source !== 'register') continue;
    const raw = present ? input[field.name] : undefined;
    if (raw === null && source !== 'register') {
      values[field.name] = null;
      continue;
    }
    const result = v.safeParse(field.schema, raw, { abortPipeEarly: true });
    if (!result.success) {
      details.push({ path: field.name, message: fieldMessage(field.name, result.issues) });
      continue;
    }
    if (result.output === undefined || result.output === null) {
      if (present) values[field.name] = null;
      continue;
    }
    if (!isJson(result.output)) {
      details.push({
        path: field.name,
        message: `${field.name} must be JSON data (no NUL or unpaired surrogate)`,
      });
      continue;
    }
    values[field.name] = result.output;
  }
  if (details.length > 0) throw new AuthError('VALIDATION_FAILED', { details });
  return values;
}

/** The issue's message, naming the field (the schema's own messages may not). */
function fieldMessage(name: string, issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  const message = issue?.message ?? 'is invalid';
  return message.startsWith(name) ? message : `${name}: ${message}`;
}

/** Whether `value` survives JSON as it is: no functions, dates, class instances, NaN. */
function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 32) return false;
  if (value === null || typeof value === 'boolean') return true;
  // NUL and unpaired surrogates: PostgreSQL's jsonb refuses both (a driver error, not a 400).
  if (typeof value === 'string') return storable(value);
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(value).every(
    ([key, item]) => key !== '__proto__' && storable(key) && isJson(item, depth + 1),
  );
}

/** A string every store keeps as given: no NUL, no unpaired UTF-16 surrogate. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && !hasLoneSurrogate(text);
}

/**
 * What `values` change of `metadata`: the keys to write (`null` removes; for
 * `UserPatch.metadataKeys`, so other keys written meanwhile stand), the resulting metadata, and
 * the names of the changed fields (for `user.updated`); `undefined` when nothing changes.
 */
export function applyUserFields(
  metadata: JsonObject,
  values: Readonly<Record<string, JsonValue | null>>,
): { keys: Record<string, JsonValue | null>; metadata: JsonObject; changed: string[] } | undefined {
  const next: Record<string, JsonValue> = { ...metadata };
  const keys: Record<string, JsonValue | null> = {};
  const changed: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const before = Object.hasOwn(metadata, name) ? metadata[name] : undefined;
    if (value === null) {
      if (before === undefined) continue;
      delete next[name];
    } else {
      if (before !== undefined && JSON.stringify(before) === JSON.stringify(value)) continue;
      next[name] = value;
    }
    keys[name] = value;
    changed.push(name);
  }
  return changed.length === 0 ? undefined : { keys, metadata: next, changed };
}

/**
 * Parses a strict body that may carry the app's fields: the declared fields are validated for
 * `source` (see {@link parseUserFields}), the rest by the flow's own strict `schema`. Every bad
 * key is reported at once, a field's and the rest's alike.
 * @throws AuthError `VALIDATION_FAILED` naming each bad key
 */
export function parseWithUserFields<S extends v.GenericSchema>(
  fields: readonly ResolvedUserField[],
  schema: S,
  input: unknown,
  source: FieldSource,
): { data: v.InferOutput<S>; values: Record<string, JsonValue | null> } {
  const isRecord = typeof input === 'object' && input !== null && !Array.isArray(input);
  if (fields.length === 0 || !isRecord) {
    return { data: parseInput(schema, input), values: {} };
  }
  const record = input as Readonly<Record<string, unknown>>;
  // No prototype: a `__proto__` key of a parsed body stays a key, for the strict schema to refuse.
  const rest: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(record)) {
    if (!fields.some((f) => f.name === key)) rest[key] = value;
  }
  const details: AuthErrorDetail[] = [];
  let values: Record<string, JsonValue | null> = {};
  let data: v.InferOutput<S> | undefined;
  try {
    values = parseUserFields(fields, record, source);
  } catch (error) {
    if (!(error instanceof AuthError) || error.details === undefined) throw error;
    details.push(...error.details);
  }
  try {
    data = parseInput(schema, rest);
  } catch (error) {
    if (!(error instanceof AuthError) || error.details === undefined) throw error;
    details.push(...error.details);
  }
  if (details.length > 0 || data === undefined) {
    throw new AuthError('VALIDATION_FAILED', { details });
  }
  return { data, values };
}
