import type { JsonObject, TotpState, UserPatch, UserRecord } from '@portcullis/core/storage';
import { int, int8, json, ms, opt, ts } from '../sql.js';
import { type MappedField, splitMetadata, withFieldColumns } from './field-columns.js';

/**
 * How a column is selected: as is, epoch ms of a `timestamptz`, JSON text, a `float8`, a
 * `bigint` as text (exact beyond 15 digits), or an array as JSON text (whatever the driver's
 * array parser).
 */
type Read = 'plain' | 'ms' | 'text' | 'float' | 'int8' | 'array';

/** The columns of a user, by the name {@link toUser} reads them under. */
const READS: readonly (readonly [name: keyof UserRow, read: Read])[] = [
  ['id', 'plain'],
  ['email', 'plain'],
  ['email_normalized', 'plain'],
  ['email_verified_at', 'ms'],
  ['username', 'plain'],
  ['username_normalized', 'plain'],
  ['password_hash', 'plain'],
  ['first_name', 'plain'],
  ['last_name', 'plain'],
  ['phone', 'plain'],
  ['phone_verified_at', 'ms'],
  ['metadata', 'text'],
  ['disabled', 'plain'],
  ['totp_secret', 'plain'],
  ['totp_algorithm', 'plain'],
  ['totp_digits', 'plain'],
  ['totp_period_seconds', 'plain'],
  ['totp_t0', 'float'],
  ['totp_last_used_step', 'float'],
  ['last_login_at', 'ms'],
  ['roles', 'array'],
  ['credential_generation', 'int8'],
  ['created_at', 'ms'],
  ['updated_at', 'ms'],
];

/** Portcullis's own columns of `users`: no `fieldColumns` mapping may name one. */
export const USER_COLUMN_NAMES: readonly string[] = READS.map(([name]) => name);

/**
 * The select list of a user: each column of table alias `alias` (`''` or `'u.'`), named
 * `{prefix}{column}` (a prefix keeps a user's `id` apart from a joined session's), then the
 * columns of the mapped metadata keys `fields` (`jsonb` ones as text, like `metadata`).
 */
export function userColumns(alias = '', prefix = '', fields: readonly MappedField[] = []): string {
  const own = READS.map(([name, read]) => {
    const column = `${alias}${name}`;
    const as = `${prefix}${name}`;
    if (read === 'ms') return ms(column, as);
    if (read === 'text') return `${column}::text AS ${as}`;
    if (read === 'float') return `${column}::float8 AS ${as}`;
    if (read === 'int8') return int8(column, as);
    if (read === 'array') return json(column, as);
    return as === column ? column : `${column} AS ${as}`;
  });
  // Quoted both times: the column's case is kept, and the identifier was checked.
  const mapped = fields.map(({ column, quoted, type }) => {
    const as = `"${prefix}${column}"`;
    return type === 'jsonb' ? `${alias}${quoted}::text AS ${as}` : `${alias}${quoted} AS ${as}`;
  });
  return [...own, ...mapped].join(', ');
}

/** The columns of a user without mapped fields, as {@link toUser} reads them. */
export const COLUMNS = userColumns();

/**
 * The {@link UserRow} inside a row selected with `userColumns(alias, prefix, fields)`: the
 * mapped columns come along under their own names, for {@link toUser} with the same `fields`.
 */
export function unprefixUser(
  row: Record<string, unknown>,
  prefix: string,
  fields: readonly MappedField[] = [],
): UserRow {
  const out: Record<string, unknown> = {};
  for (const [name] of READS) out[name] = row[`${prefix}${name}`];
  for (const { column } of fields) out[column] = row[`${prefix}${column}`];
  // Every column of UserRow was selected under its prefixed name.
  return out as unknown as UserRow;
}

/** A row of `users` selected with {@link COLUMNS}: times as epoch ms, JSON as text. */
export interface UserRow {
  id: string;
  email: string;
  email_normalized: string;
  email_verified_at: number | null;
  username: string | null;
  username_normalized: string | null;
  password_hash: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  phone_verified_at: number | null;
  /** JSON text, or the object itself when the row came as JSON (`row_to_json`). */
  metadata: string | JsonObject;
  disabled: boolean;
  totp_secret: string | null;
  totp_algorithm: TotpState['algorithm'] | null;
  totp_digits: number | null;
  totp_period_seconds: number | null;
  totp_t0: number | null;
  totp_last_used_step: number | null;
  last_login_at: number | null;
  /** JSON text of the `text[]`, or the array itself when the row came as JSON (`row_to_json`). */
  roles: string | string[];
  /** Text of the `bigint`, or the number itself when the row came as JSON (`row_to_json`). */
  credential_generation: string | number;
  created_at: number;
  updated_at: number;
}

/**
 * How a value is sent: as is, as epoch ms turned into `timestamptz`, as JSON text, as a
 * `bigint` (the decimal text of a safe integer), or as a `text[]`.
 */
type Kind = 'plain' | 'time' | 'json' | 'int8' | 'array';

/** How each patchable field is written: its column and its kind. */
const FIELDS: Readonly<Record<string, readonly [column: string, kind: Kind]>> = {
  email: ['email', 'plain'],
  emailNormalized: ['email_normalized', 'plain'],
  emailVerifiedAt: ['email_verified_at', 'time'],
  username: ['username', 'plain'],
  usernameNormalized: ['username_normalized', 'plain'],
  passwordHash: ['password_hash', 'plain'],
  firstName: ['first_name', 'plain'],
  lastName: ['last_name', 'plain'],
  phone: ['phone', 'plain'],
  phoneVerifiedAt: ['phone_verified_at', 'time'],
  metadata: ['metadata', 'json'],
  disabled: ['disabled', 'plain'],
  lastLoginAt: ['last_login_at', 'time'],
  roles: ['roles', 'array'],
  credentialGeneration: ['credential_generation', 'int8'],
  updatedAt: ['updated_at', 'time'],
};

const TOTP_COLUMNS = [
  'totp_secret',
  'totp_algorithm',
  'totp_digits',
  'totp_period_seconds',
  'totp_t0',
  'totp_last_used_step',
] as const;

/**
 * The SET clauses of `patch`, with parameters numbered from `first`. A `metadata` patch also
 * sets every mapped column of `fields` (NULL for a key it lacks: the whole metadata is
 * replaced, so is every mapped key). A `metadataKeys` patch writes only its keys (merged into
 * the jsonb, or their mapped columns).
 *
 * @throws {AuthError} `VALIDATION_FAILED` for a value its `text` column cannot take
 * ({@link splitMetadata}).
 */
export function patchSql(
  patch: UserPatch,
  first: number,
  fields: readonly MappedField[] = [],
): { sets: string[]; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown, kind: Kind = 'plain') => {
    params.push(
      value === null
        ? null
        : kind === 'json'
          ? JSON.stringify(value)
          : kind === 'int8'
            ? String(value)
            : kind === 'array'
              ? [...(value as readonly string[])]
              : value,
    );
    const n = first + params.length - 1;
    const cast =
      kind === 'time'
        ? ts(n)
        : kind === 'json'
          ? `$${n}::jsonb`
          : kind === 'int8'
            ? `$${n}::bigint`
            : kind === 'array'
              ? `$${n}::text[]`
              : `$${n}`;
    sets.push(`${column} = ${cast}`);
  };
  const split = patch.metadata === undefined ? undefined : splitMetadata(patch.metadata, fields);
  for (const [key, value] of Object.entries(patch)) {
    const field = FIELDS[key];
    if (field === undefined || value === undefined) continue;
    set(field[0], key === 'metadata' ? split?.rest : value, field[1]);
  }
  if (split !== undefined) {
    for (const [i, { quoted, type }] of fields.entries()) {
      set(quoted, split.values[i], type === 'jsonb' ? 'json' : 'plain');
    }
  }
  if (patch.metadataKeys !== undefined) {
    // Some keys only, in this one statement (so a concurrent patch of other keys stands): mapped
    // keys go to their columns; the others are merged into the jsonb (`||`) or removed (`-`),
    // and a mapped key's stale jsonb copy (from before its mapping) goes too.
    const keys = Object.entries(patch.metadataKeys).filter(([key]) => key !== '__proto__');
    const mappedKeys = new Set(fields.map((f) => f.key));
    const mapped = fields.filter((f) => Object.hasOwn(patch.metadataKeys ?? {}, f.key));
    const { values } = splitMetadata(
      Object.fromEntries(mapped.map((f) => [f.key, patch.metadataKeys?.[f.key] ?? null])),
      mapped,
    );
    for (const [i, { quoted, type }] of mapped.entries()) {
      set(quoted, values[i], type === 'jsonb' ? 'json' : 'plain');
    }
    const merged: Record<string, unknown> = Object.create(null);
    const removed: string[] = [];
    for (const [key, value] of keys) {
      if (mappedKeys.has(key) || value === null) removed.push(key);
      else merged[key] = value;
    }
    params.push(JSON.stringify(merged), removed);
    const n = first + params.length - 2;
    sets.push(`metadata = (metadata || $${n}::jsonb) - $${n + 1}::text[]`);
  }
  if (patch.totp !== undefined) {
    const values = patch.totp === null ? TOTP_COLUMNS.map(() => null) : totpValues(patch.totp);
    for (const [i, column] of TOTP_COLUMNS.entries()) set(column, values[i]);
  }
  return { sets, params };
}

export function totpValues(t: TotpState): unknown[] {
  return [t.encryptedSecret, t.algorithm, t.digits, t.periodSeconds, t.t0, t.lastUsedStep ?? null];
}

/**
 * The record of a row. With mapped `fields` the row carries their columns too (selected with
 * `userColumns(…, fields)`, or as JSON when `parsed`: `row_to_json`), which go back into
 * `metadata` under their keys.
 */
export function toUser(
  r: UserRow,
  fields: readonly MappedField[] = [],
  parsed = false,
): UserRecord {
  const metadata =
    typeof r.metadata === 'string' ? (JSON.parse(r.metadata) as JsonObject) : r.metadata;
  return {
    id: r.id,
    email: r.email,
    emailNormalized: r.email_normalized,
    ...opt('emailVerifiedAt', r.email_verified_at),
    ...opt('username', r.username),
    ...opt('usernameNormalized', r.username_normalized),
    ...opt('passwordHash', r.password_hash),
    ...opt('firstName', r.first_name),
    ...opt('lastName', r.last_name),
    ...opt('phone', r.phone),
    ...opt('phoneVerifiedAt', r.phone_verified_at),
    metadata: withFieldColumns(metadata, r, fields, parsed),
    disabled: r.disabled,
    ...(r.totp_secret === null ? {} : { totp: toTotp(r, r.totp_secret) }),
    ...opt('lastLoginAt', r.last_login_at),
    ...rolesOf(r.roles),
    credentialGeneration: int(r.credential_generation),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** `{ roles }`, or `{}` for an empty array: a user without roles has no `roles` key. */
function rolesOf(roles: string | readonly string[]): { roles?: readonly string[] } {
  const list = typeof roles === 'string' ? (JSON.parse(roles) as string[]) : roles;
  return list.length === 0 ? {} : { roles: list };
}

function toTotp(r: UserRow, encryptedSecret: string): TotpState {
  return {
    encryptedSecret,
    algorithm: r.totp_algorithm ?? 'sha1',
    digits: r.totp_digits ?? 6,
    periodSeconds: r.totp_period_seconds ?? 30,
    t0: r.totp_t0 ?? 0,
    ...opt('lastUsedStep', r.totp_last_used_step),
  };
}
