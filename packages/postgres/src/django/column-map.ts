/**
 * Which Portcullis field each column of a Django user table fills. Keys are column names;
 * values are targets (see {@link DjangoColumnTarget}).
 */
export type DjangoColumnMap = Readonly<Record<string, DjangoColumnTarget>>;

/**
 * What a Django column becomes:
 * - `email`, `username`, `firstName`, `lastName`, `phone`: text fields, normalized as core
 *   normalizes them (email and username).
 * - `password`: the hash, verbatim (Django's formats are read by core's legacy verifiers).
 * - `active`: a boolean, `false` → disabled; `disabled`: a boolean, `true` → disabled.
 * - `createdAt`, `lastLoginAt`, `emailVerifiedAt`: timestamps.
 * - `emailVerified`: a boolean, `true` → verified at `createdAt`, `false` → unverified. Without
 *   an `emailVerified` or `emailVerifiedAt` column every imported email counts as verified.
 * - `metadata.<key>` (dots nest further): the value, as JSON, into the user's `metadata`.
 * - `fields.<name>`: one of the app's own user fields (docs/user-fields.md), which live in
 *   `metadata.<name>`; with the import's `fields` option the value is checked by the field's
 *   schema (a user whose value it refuses is skipped, `field_invalid`).
 * - `ignore`: read nothing, and do not list the column as unmapped.
 */
export type DjangoColumnTarget =
  | 'email'
  | 'username'
  | 'firstName'
  | 'lastName'
  | 'phone'
  | 'password'
  | 'active'
  | 'disabled'
  | 'createdAt'
  | 'lastLoginAt'
  | 'emailVerified'
  | 'emailVerifiedAt'
  | 'ignore'
  | `metadata.${string}`
  | `fields.${string}`;

/** The map of Django's own `auth_user` (`AbstractUser`); `id` is the primary key. */
export const DJANGO_DEFAULT_COLUMN_MAP: DjangoColumnMap = Object.freeze({
  password: 'password',
  last_login: 'lastLoginAt',
  username: 'username',
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  is_active: 'active',
  date_joined: 'createdAt',
});

const SINGLE_TARGETS = new Set<string>([
  'email',
  'username',
  'firstName',
  'lastName',
  'phone',
  'password',
  'active',
  'disabled',
  'createdAt',
  'lastLoginAt',
  'emailVerified',
  'emailVerifiedAt',
]);

const METADATA_PATH = /^metadata(\.[^.]+)+$/;
const FIELD_PATH = /^fields\.[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** Keys refused in a metadata path: they reach `Object.prototype` rather than the data. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * The map that applies to a table with `columns`: the defaults for the columns that exist,
 * overridden by `custom`. Throws for an unknown target, a column the table does not have, a
 * target named twice, or a table without an email column.
 */
export function resolveColumnMap(
  columns: readonly string[],
  custom: Readonly<Record<string, string>> = {},
): { map: Map<string, DjangoColumnTarget>; unmapped: string[] } {
  const present = new Set(columns);
  const map = new Map<string, DjangoColumnTarget>();
  for (const [column, target] of Object.entries(DJANGO_DEFAULT_COLUMN_MAP)) {
    if (present.has(column)) map.set(column, target);
  }
  for (const [column, target] of Object.entries(custom)) {
    if (!present.has(column)) {
      throw new Error(`Column map: the user table has no column "${column}".`);
    }
    if (column === 'id')
      throw new Error('Column map: "id" is the primary key; it cannot be mapped.');
    if (
      target !== 'ignore' &&
      !SINGLE_TARGETS.has(target) &&
      !METADATA_PATH.test(target) &&
      !FIELD_PATH.test(target)
    ) {
      throw new Error(`Column map: unknown target "${target}" for column "${column}".`);
    }
    // Keys that would write onto an object's prototype instead of into the metadata.
    const forbidden = target.split('.').find((key) => FORBIDDEN_KEYS.has(key));
    if (forbidden !== undefined) {
      throw new Error(`Column map: "${forbidden}" cannot be a metadata key (column "${column}").`);
    }
    map.set(column, target as DjangoColumnTarget);
  }
  // A target filled by two columns would make the result depend on their order (a field is
  // its metadata key: `fields.bio` and `metadata.bio` are one target).
  const seen = new Map<string, string>();
  for (const [column, mapped] of map) {
    if (mapped === 'ignore') continue;
    const target = mapped.startsWith('fields.') ? `metadata.${mapped.slice(7)}` : mapped;
    const other = seen.get(target);
    if (other !== undefined) {
      throw new Error(`Column map: "${other}" and "${column}" both map to "${target}".`);
    }
    seen.set(target, column);
  }
  if (!seen.has('email')) throw new Error('Column map: no column maps to "email".');
  if (seen.has('emailVerified') && seen.has('emailVerifiedAt')) {
    throw new Error('Column map: map either "emailVerified" or "emailVerifiedAt", not both.');
  }
  if (seen.has('active') && seen.has('disabled')) {
    throw new Error('Column map: map either "active" or "disabled", not both.');
  }
  const unmapped = columns.filter((c) => c !== 'id' && !map.has(c));
  return { map, unmapped };
}
