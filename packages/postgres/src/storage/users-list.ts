import type { UserListQuery } from '@portcullis/core/storage';
import { ts } from '../sql.js';
import { COLUMNS } from './users-row.js';

/** The earliest `timestamptz`, 4714-11-24 00:00 UTC BC, in epoch milliseconds. */
const EARLIEST_MS = -210_866_803_200_000;

/** A statement and its parameters. */
export interface Statement {
  readonly text: string;
  readonly params: unknown[];
}

/**
 * `prefix` as the literal start of a LIKE pattern: `%`, `_` and the escape character `\` are
 * escaped, so a search for `a_b` finds `a_b…`, never `axb…`.
 */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, '\\$&');
}

/**
 * The statement of `users.list` over `table`, selecting `columns` (default: no mapped metadata
 * keys): only the conditions `query` asks for, each of a shape one index of migration 0007
 * answers, and `ORDER BY created_at, id COLLATE "C"` (the keyset of `after`, in the order of
 * `users_created_at_id_idx`).
 *
 * Sent unnamed, never prepared: PostgreSQL then plans it with the values at hand, which is what
 * turns `email_normalized LIKE $1 || '%'` into an index range (a generic plan of a named
 * statement cannot), and what lets it choose between the ordered scan and the filter indexes.
 */
export function listStatement(
  table: string,
  query: UserListQuery,
  columns: string = COLUMNS,
): Statement {
  const params: unknown[] = [];
  const $ = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  // A cursor before the earliest time PostgreSQL holds has every user after it (core accepts
  // any safe integer in a client's cursor; converting one this early would fail the statement).
  if (query.after !== undefined && query.after.createdAt >= EARLIEST_MS) {
    const createdAt = ts(params.push(query.after.createdAt));
    where.push(`(created_at, id COLLATE "C") > (${createdAt}, ${$(query.after.id)})`);
  }
  if (query.prefix !== undefined) {
    const p = $(likePrefix(query.prefix));
    where.push(
      `(email_normalized LIKE ${p} || '%' OR username_normalized LIKE ${p} || '%'
         OR lower(first_name) LIKE lower(${p}) || '%' OR lower(last_name) LIKE lower(${p}) || '%')`,
    );
  }
  // `@>` rather than `$role = ANY(roles)`: the same answer, but only `@>` can use the GIN index.
  if (query.role !== undefined) where.push(`roles @> ARRAY[${$(query.role)}::text]`);
  if (query.disabled !== undefined) where.push(`disabled = ${$(query.disabled)}`);
  const filter = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  // `u.created_at`, not `created_at`: ORDER BY takes a bare name for the output column first,
  // which is the epoch-ms expression of COLUMNS; sorting by it gives the same order, but no
  // index can, so every page would read and sort every match.
  return {
    text: `SELECT ${columns} FROM ${table} AS u${filter}
      ORDER BY u.created_at, u.id COLLATE "C" LIMIT ${$(Math.max(query.limit, 0))}`,
    params,
  };
}
