import { AuthError } from '@portcullis/core';

/** The schema that holds Portcullis's tables unless told otherwise. */
export const DEFAULT_SCHEMA = 'portcullis';

/** A plain SQL identifier: letters, digits and underscores, not starting with a digit. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL truncates identifiers longer than 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * `name` as a quoted identifier, after checking that it is a plain one. Quoting keeps the
 * case as given (`"Auth"` is not `auth`); the check refuses anything that would need escaping,
 * so a schema name taken from configuration can never inject SQL.
 *
 * @throws {AuthError} `CONFIG_INVALID` when `name` is empty, longer than 63 characters, or has
 * characters other than ASCII letters, digits and underscores (or starts with a digit).
 */
export function quoteSchemaName(name: string): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_BYTES) {
    throw new AuthError('CONFIG_INVALID', {
      message:
        'The PostgreSQL schema name must be 1 to 63 ASCII letters, digits or underscores, not starting with a digit.',
      details: [{ path: 'schema', message: 'Not a plain SQL identifier.' }],
    });
  }
  // The check above leaves no double quote to escape.
  return `"${name}"`;
}
