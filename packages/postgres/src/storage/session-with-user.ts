import type { SessionWithUser, Storage } from '@portcullis/core/storage';
import type { Db } from './db.js';
import { NO_FIELDS, type UserFields } from './field-columns.js';
import { live } from './sessions.js';
import { toUser, type UserRow } from './users-row.js';

/** Columns of `users` that hold a `timestamptz`, which JSON carries as ISO 8601 text. */
const USER_TIMES = [
  'email_verified_at',
  'phone_verified_at',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

/** The joined row: the session as a JSON array (see the select list), the user's row as JSON. */
interface JoinedRow {
  s: string;
  u: string | null;
}

/** The session's columns, in the order of the JSON array of {@link pgSessionWithUser}. */
type SessionArray = [
  id: string,
  userId: string,
  secretHash: string | null,
  refreshHash: string | null,
  createdAt: string,
  lastSeenAt: string,
  idleExpiresAt: string,
  absoluteExpiresAt: string,
  freshUntil: string,
  ip: string | null,
  userAgent: string | null,
  amr: string[] | null,
  credentialGeneration: number,
  secondFactorAt: string | null,
  impersonatedBy: string | null,
];

/**
 * `Storage.sessionWithUser`: the live session and its user in one statement (a left join on
 * the primary keys), named so PostgreSQL plans it once per connection. It runs on every
 * validated request, so it is built for PostgreSQL's CPU as much as for ours (issue 20,
 * docs/performance.md): the session travels as one `json_build_array` text (positional: no
 * keys to write or parse, no type parsers), the user as one `row_to_json` text, and the
 * replaced refresh hashes are not read at all (validation never needs them; the contract leaves
 * them out): the correlated sub-select that fetched them cost PostgreSQL about a third more
 * than the rest of the statement, even for cookie sessions, which have none.
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
  const { sessions, users } = db.t;
  const text = `SELECT json_build_array(s.id, s.user_id, s.secret_hash, s.refresh_hash,
        s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, s.fresh_until,
        s.ip, s.user_agent, s.amr, s.credential_generation, s.second_factor_at,
        s.impersonated_by)::text AS s,
      row_to_json(u)::text AS u
    FROM ${sessions} s LEFT JOIN ${users} u ON u.id = s.user_id
    WHERE s.id = $1 AND ${live(2, 's.')}`;
  const options = db.prepared('sessions_get_with_user', text);
  return async (id, now) => {
    await mapped.ready(db);
    const { rows } = await db.query<JoinedRow>(text, [id, now], options);
    const row = rows[0];
    if (row === undefined) return undefined;
    const session = toLiveSession(JSON.parse(row.s) as SessionArray);
    const user = row.u === null ? null : withMs(JSON.parse(row.u), USER_TIMES);
    if (session === undefined || user === undefined) return fallback(id, now);
    return {
      session,
      user: user === null ? undefined : toUser(user as unknown as UserRow, mapped.fields, true),
    };
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The session of the JSON array, built in one shape (no spreads: this runs on every request);
 * `undefined` when a time is not whole epoch milliseconds.
 */
function toLiveSession(a: SessionArray): SessionWithUser['session'] | undefined {
  const createdAt = isoMs(a[4]);
  const lastSeenAt = isoMs(a[5]);
  const idleExpiresAt = isoMs(a[6]);
  const absoluteExpiresAt = isoMs(a[7]);
  const freshUntil = isoMs(a[8]);
  const secondFactorAt = a[13] === null ? null : isoMs(a[13]);
  if (
    createdAt === undefined ||
    lastSeenAt === undefined ||
    idleExpiresAt === undefined ||
    absoluteExpiresAt === undefined ||
    freshUntil === undefined ||
    secondFactorAt === undefined
  ) {
    return undefined;
  }
  const session: Mutable<SessionWithUser['session']> = {
    id: a[0],
    userId: a[1],
    createdAt,
    lastSeenAt,
    idleExpiresAt,
    absoluteExpiresAt,
    freshUntil,
    amr: a[11] ?? [],
    credentialGeneration: a[12],
  };
  if (a[2] !== null) session.secretHash = a[2];
  if (a[3] !== null) session.refreshHash = a[3];
  if (a[9] !== null) session.ip = a[9];
  if (a[10] !== null) session.userAgent = a[10];
  if (secondFactorAt !== null) session.secondFactorAt = secondFactorAt;
  if (a[14] !== null) session.impersonatedBy = a[14];
  return session;
}

/** Epoch ms of an ISO 8601 time of a whole millisecond, else `undefined`. */
function isoMs(value: string): number | undefined {
  if (!WHOLE_MS.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
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
