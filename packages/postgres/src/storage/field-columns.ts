import { AuthError } from '@portcullis/core';
import type { JsonObject, JsonValue } from '@portcullis/core/storage';
import type { Db } from './db.js';

/**
 * The type of a column that holds one metadata key: `text` takes strings only; `jsonb` takes
 * any JSON value (numbers, booleans, arrays, objects, strings).
 */
export type FieldColumnType = 'text' | 'jsonb';

/** Where one metadata key lives: a `text` column by name, or a column and its type. */
export type FieldColumn =
  | string
  | {
      /** The column of the users table: 1 to 63 ASCII letters, digits or `_`, case kept. */
      readonly column: string;
      /** Its type. Default `'text'`. */
      readonly type?: FieldColumnType;
    };

/** The `fieldColumns` option: metadata key (the app's field name) → its column. */
export type FieldColumns = { readonly [metadataKey: string]: FieldColumn };

/** One mapping, checked. */
export interface MappedField {
  /** The metadata key. */
  readonly key: string;
  /** The column's name, unquoted. */
  readonly column: string;
  /** The column's name, quoted for SQL. */
  readonly quoted: string;
  readonly type: FieldColumnType;
}

/** A plain SQL identifier: letters, digits and underscores, not starting with a digit. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The mappings of `fieldColumns`, checked: each column a plain identifier that is none of
 * `taken` (Portcullis's own columns), no column mapped twice, each type `text` or `jsonb`.
 *
 * @throws {AuthError} `CONFIG_INVALID` with one detail (`fieldColumns.<key>`) per bad mapping.
 */
export function resolveFieldColumns(
  option: FieldColumns | undefined,
  taken: readonly string[],
): readonly MappedField[] {
  if (option === undefined) return [];
  if (typeof option !== 'object' || option === null) {
    throw configError([{ path: 'fieldColumns', message: 'Must be an object: key → column.' }]);
  }
  const fields: MappedField[] = [];
  const details: { path: string; message: string }[] = [];
  const bad = (key: string, message: string) =>
    details.push({ path: `fieldColumns.${key}`, message });
  for (const [key, mapping] of Object.entries(option)) {
    const column = typeof mapping === 'string' ? mapping : mapping?.column;
    const type = typeof mapping === 'string' ? 'text' : (mapping?.type ?? 'text');
    // `__proto__` would set the prototype of the metadata object that reads build.
    if (key === '' || key === '__proto__') bad(key, 'Not a usable metadata key.');
    else if (typeof column !== 'string' || !IDENTIFIER.test(column) || column.length > 63) {
      bad(key, 'The column must be 1 to 63 ASCII letters, digits or _, not starting with a digit.');
    } else if (type !== 'text' && type !== 'jsonb') bad(key, 'The type must be text or jsonb.');
    else if (taken.includes(column)) bad(key, `"${column}" is a column of Portcullis's own.`);
    else if (fields.some((f) => f.column === column)) bad(key, `"${column}" is mapped twice.`);
    // The identifier check leaves no double quote to escape.
    else fields.push(Object.freeze({ key, column, quoted: `"${column}"`, type }));
  }
  if (details.length > 0) throw configError(details);
  return Object.freeze(fields);
}

/**
 * Splits `metadata` for a write: the JSON without the mapped keys, and each mapped key's
 * column value in the order of `fields` (`null`: absent, or a JSON `null`). A `text` column
 * takes a string without NUL characters; anything else is refused here, before the statement,
 * so it is a validation error and never a driver error.
 *
 * @throws {AuthError} `VALIDATION_FAILED` with one detail per refused key (the key as the path).
 */
export function splitMetadata(
  metadata: JsonObject,
  fields: readonly MappedField[],
): { rest: JsonObject; values: (JsonValue | null)[] } {
  if (fields.length === 0) return { rest: metadata, values: [] };
  const rest: Record<string, JsonValue> = { ...metadata };
  const values: (JsonValue | null)[] = [];
  const details: { path: string; message: string }[] = [];
  const problems: string[] = [];
  for (const field of fields) {
    const value = Object.hasOwn(metadata, field.key) ? metadata[field.key] : undefined;
    delete rest[field.key];
    if (value === undefined || value === null) {
      values.push(null);
      continue;
    }
    if (field.type === 'text' && typeof value !== 'string') {
      details.push({ path: field.key, message: `${field.key} must be a string.` });
      problems.push(`${field.key} (${typeof value}) maps to the text column ${field.quoted}`);
      continue;
    }
    // PostgreSQL's text cannot hold U+0000; the driver would fail the whole statement.
    if (typeof value === 'string' && field.type === 'text' && value.includes('\u0000')) {
      details.push({ path: field.key, message: `${field.key} cannot contain a NUL character.` });
      problems.push(`${field.key} holds U+0000, which a text column refuses`);
      continue;
    }
    values.push(value);
  }
  if (details.length > 0) {
    throw new AuthError('VALIDATION_FAILED', {
      details,
      cause: new Error(`postgresStorage fieldColumns: ${problems.join('; ')}`),
    });
  }
  return { rest, values };
}

/**
 * The mapped part of an INSERT: `, "col"…` for the column list, `, $n…` for the values
 * (parameters numbered from `first`, `jsonb` ones as JSON text cast to `jsonb`), and the
 * parameters, from the `values` of {@link splitMetadata}.
 */
export function fieldInsert(
  fields: readonly MappedField[],
  values: readonly (JsonValue | null)[],
  first: number,
): { columns: string; placeholders: string; params: unknown[] } {
  return {
    columns: fields.map((f) => `, ${f.quoted}`).join(''),
    placeholders: fields
      .map((f, i) => `, $${first + i}${f.type === 'jsonb' ? '::jsonb' : ''}`)
      .join(''),
    params: fields.map((f, i) => {
      const value = values[i] ?? null;
      return value === null || f.type === 'text' ? value : JSON.stringify(value);
    }),
  };
}

/**
 * `metadata` with the mapped columns of `row` put back under their keys. A NULL column leaves
 * the key as `metadata` has it: absent, or a value written there before the mapping existed
 * (it moves to the column at the next write). `parsed` says the row came as JSON
 * (`row_to_json`), where a `jsonb` column is already a value; a plain select gives its text.
 */
export function withFieldColumns(
  metadata: JsonObject,
  row: object,
  fields: readonly MappedField[],
  parsed: boolean,
): JsonObject {
  if (fields.length === 0) return metadata;
  const out: Record<string, JsonValue> = { ...metadata };
  for (const field of fields) {
    const raw: unknown = Reflect.get(row, field.column);
    if (raw === null || raw === undefined) continue;
    const value =
      field.type === 'jsonb' && !parsed ? (JSON.parse(raw as string) as JsonValue) : raw;
    // A JSON null written behind our back reads as absent, as a NULL column does.
    if (value !== null) out[field.key] = value as JsonValue;
  }
  return out;
}

/** What {@link fieldColumnsCheck} returns: runs the check on `db` until it passes once. */
export type FieldColumnsReady = (db: Db) => Promise<void>;

/** The metadata keys kept in columns of their own, and the check that the columns exist. */
export interface UserFields {
  readonly fields: readonly MappedField[];
  /** Resolves once the columns were found (checked on the first call). */
  readonly ready: FieldColumnsReady;
}

/** No mapped keys: everything in `metadata`. */
export const NO_FIELDS: UserFields = Object.freeze({ fields: [], ready: async () => undefined });

/** A column of the users table as the catalog describes it. */
interface CatalogColumn {
  name: string;
  type: string;
  not_null: boolean;
}

/**
 * The lazy check of the mapped columns: the first call (and each one after a failure) reads
 * the catalog once and refuses a column that is missing, of another type, or `NOT NULL`; after
 * one pass it costs nothing. Calls on `root` share one check in flight; a call inside a
 * transaction runs its own on the transaction's connection (PGlite would otherwise wait for
 * the transaction to end). A failure is not kept: once the migration adds the column, the
 * next call passes without a restart.
 *
 * @throws {AuthError} `CONFIG_INVALID` naming each bad column, with the SQL that adds it.
 */
export function fieldColumnsCheck(
  root: Db,
  fields: readonly MappedField[],
  qualifiedTable: string,
): FieldColumnsReady {
  let passed = fields.length === 0;
  let running: Promise<void> | undefined;
  const run = async (db: Db) => {
    await checkColumns(db, fields, qualifiedTable);
    passed = true;
  };
  return async (db) => {
    if (passed) return;
    if (db !== root) return run(db);
    running ??= run(root).finally(() => {
      running = undefined;
    });
    return running;
  };
}

async function checkColumns(db: Db, fields: readonly MappedField[], table: string): Promise<void> {
  const { rows } = await db.query<CatalogColumn>(
    `SELECT a.attname AS name, a.atttypid::regtype::text AS type, a.attnotnull AS not_null
       FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attname = ANY($2::text[])`,
    [table, fields.map((f) => f.column)],
  );
  const details: { path: string; message: string }[] = [];
  for (const field of fields) {
    const found = rows.find((r) => r.name === field.column);
    const path = `fieldColumns.${field.key}`;
    if (found === undefined) {
      details.push({
        path,
        message: `Column ${field.quoted} is missing: ALTER TABLE ${table} ADD COLUMN ${field.quoted} ${field.type}`,
      });
    } else if (found.type !== field.type) {
      details.push({
        path,
        message: `Column ${field.quoted} is ${found.type}, not ${field.type}: ALTER TABLE ${table} ALTER COLUMN ${field.quoted} TYPE ${field.type}`,
      });
    } else if (found.not_null) {
      details.push({
        path,
        message: `Column ${field.quoted} is NOT NULL; it must allow NULL (no value): ALTER TABLE ${table} ALTER COLUMN ${field.quoted} DROP NOT NULL`,
      });
    }
  }
  if (details.length === 0) return;
  throw configError(details, `The users table ${table} does not match fieldColumns`);
}

function configError(
  details: readonly { path: string; message: string }[],
  lead = 'postgresStorage: invalid fieldColumns',
): AuthError {
  return new AuthError('CONFIG_INVALID', {
    message: `${lead}. ${details.map((d) => `${d.path}: ${d.message}`).join(' ')}`,
    details,
  });
}
