import type { SessionWithUser, Storage } from '@portcullis/core/storage';
import type { Db } from './db.js';
import { NO_FIELDS, type UserFields } from './field-columns.js';
import { live, type SessionRow, toSession } from './sessions.js';
import { toUser, type UserRow } from './users-row.js';

/** Columns of each table that hold a `timestamptz`, which JSON carries as ISO 8601 text. */
const SESSION_TIMES = [
  'created_at',
  'last_seen_at',
  'idle_expires_at',
  'absolute_expires_at',
  'fresh_until',
  'second_factor_at',
] as const;
const USER_TIMES = [
  'email_verified_at',
  'phone_verified_at',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

/** The joined row: each table's row as JSON text, and the session's replaced refresh hashes. */
interface JoinedRow {
  s: string;
  previous: string;
  u: string | null;
}

/**
 * `Storage.sessionWithUser`: the live session and its user in one statement (a left join on
 * the primary keys), named so PostgreSQL plans it once per connection. Each row travels as one
 * `row_to_json` text: parsing three values instead of thirty-odd typed columns (and no numeric
 * time conversions in SQL) makes it about a third cheaper than the same join column by column.
 * A cookie session (no refresh hash) skips the lookup of replaced refresh hashes: hashes are
 * only ever replaced by a rotation, which needs a current one.
 * `fallback` answers when a time does not read back as whole epoch milliseconds (never for the
 * times core writes), so the result is always exactly what the two lookups would give.
 * The user's JSON holds every column of its row, the integrator's own among them, so the
 * metadata keys of `mapped` are read from it; the text (and so the statement's name) stays
 * the same whatever the mapping.
 */
export function pgSessionWithUser(
  db: Db,
  fallback: (id: string, now: number) => Promise<SessionWithUser | undefined>,
  mapped: UserFields = NO_FIELDS,
): NonNullable<Storage['sessionWithUser']> {
  const { sessions, users, refreshHashes } = db.t;
  const text = `SELECT row_to_json(s)::text AS s, row_to_json(u)::text AS u,
      CASE WHEN s.refresh_hash IS NULL THEN '[]' ELSE
        (SELECT coalesce(json_agg(h.hash ORDER BY h.position), '[]')::text
           FROM ${refreshHashes} h WHERE h.session_id = s.id) END AS previous
    FROM ${sessions} s LEFT JOIN ${users} u ON u.id = s.user_id
    WHERE s.id = $1 AND ${live(2, 's.')}`;
  const options = db.prepared('sessions_get_with_user', text);
  return async (id, now) => {
    await mapped.ready(db);
    const { rows } = await db.query<JoinedRow>(text, [id, now], options);
    const row = rows[0];
    if (row === undefined) return undefined;
    const session = withMs(JSON.parse(row.s), SESSION_TIMES);
    const user = row.u === null ? null : withMs(JSON.parse(row.u), USER_TIMES);
    if (session === undefined || user === undefined) return fallback(id, now);
    return {
      session: toSession({ ...(session as unknown as SessionRow), previous: row.previous }),
      user: user === null ? undefined : toUser(user as unknown as UserRow, mapped.fields, true),
    };
  };
}

/**
 * `row` with its time columns as epoch ms; `undefined` when one is not an ISO time of a whole
 * millisecond that `Date.parse` reads exactly (years outside 0–9999, sub-millisecond parts).
 */
function withMs(
  row: Record<string, unknown>,
  times: readonly string[],
): Record<string, unknown> | undefined {
  for (const column of times) {
    const value = row[column];
    if (value === null) continue;
    if (typeof value !== 'string' || !WHOLE_MS.test(value)) return undefined;
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) return undefined;
    row[column] = ms;
  }
  return row;
}

/** `YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM`: four-digit years, at most millisecond precision. */
const WHOLE_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?[+-]\d{2}(?::\d{2})?$/;
