import type { SessionRecord, SessionStore } from '@portcullis/core/storage';
import { generationParam, int, int8, json, ms, opt, parseJson, ts } from '../sql.js';
import type { Db } from './db.js';

/** A row of `sessions` selected with {@link sessionColumns}. */
export interface SessionRow {
  id: string;
  user_id: string;
  secret_hash: string | null;
  refresh_hash: string | null;
  previous: string;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  fresh_until: number;
  ip: string | null;
  user_agent: string | null;
  /** JSON text, or the array itself when the row came as JSON (`row_to_json`). */
  amr: string | string[];
  /** Text of the `bigint`, or the number itself when the row came as JSON (`row_to_json`). */
  credential_generation: string | number;
  second_factor_at: number | null;
  impersonated_by: string | null;
}

/** A session is live at `$n` while it is before both expiries. */
export const live = (n: number, alias = '') =>
  `${ts(n)} < ${alias}idle_expires_at AND ${ts(n)} < ${alias}absolute_expires_at`;

/** The select list of a session of table alias `s`, as {@link toSession} reads it. */
export function sessionColumns(refreshHashes: string): string {
  return [
    's.id',
    's.user_id',
    's.secret_hash',
    's.refresh_hash',
    `(SELECT coalesce(json_agg(h.hash ORDER BY h.position), '[]')::text FROM ${refreshHashes} h
       WHERE h.session_id = s.id) AS previous`,
    ms('s.created_at', 'created_at'),
    ms('s.last_seen_at', 'last_seen_at'),
    ms('s.idle_expires_at', 'idle_expires_at'),
    ms('s.absolute_expires_at', 'absolute_expires_at'),
    ms('s.fresh_until', 'fresh_until'),
    's.ip',
    's.user_agent',
    json('s.amr', 'amr'),
    int8('s.credential_generation', 'credential_generation'),
    ms('s.second_factor_at', 'second_factor_at'),
    's.impersonated_by',
  ].join(', ');
}

/**
 * The `sessions` store. Each compare-and-set is one `UPDATE` whose `WHERE` clause is the
 * check, so the row lock serializes racers and a losing racer re-checks against the winner's
 * row. Replaced refresh hashes live in their own table, indexed for the reuse check and
 * deleted with their session.
 */
export function pgSessions(db: Db): SessionStore {
  const { sessions, refreshHashes } = db.t;
  const columns = sessionColumns(refreshHashes);

  // The hot path (every validation reads, and may touch): named, so planned once per connection.
  const getSql = `SELECT ${columns} FROM ${sessions} s WHERE s.id = $1 AND ${live(2, 's.')}`;
  const getAs = db.prepared('sessions_get', getSql);
  const touchSql = `UPDATE ${sessions}
            SET idle_expires_at = greatest(idle_expires_at, least(${ts(3)}, absolute_expires_at)),
                last_seen_at = greatest(last_seen_at, ${ts(2)})
          WHERE id = $1 AND ${live(2)}`;
  const touchAs = db.prepared('sessions_touch', touchSql);

  return {
    async create(s) {
      // One statement: the session and any replaced hashes it comes with, all or nothing.
      await db.query(
        `WITH created AS (
           INSERT INTO ${sessions} (id, user_id, secret_hash, refresh_hash, created_at,
             last_seen_at, idle_expires_at, absolute_expires_at, fresh_until, ip, user_agent, amr,
             credential_generation, second_factor_at, impersonated_by)
           VALUES ($1, $2, $3, $4, ${ts(5)}, ${ts(6)}, ${ts(7)}, ${ts(8)}, ${ts(9)}, $10, $11,
             $12::text[], $14::bigint, ${ts(15)}, $16)
           RETURNING id)
         INSERT INTO ${refreshHashes} (session_id, hash)
         SELECT created.id, h.hash FROM created, unnest($13::text[]) WITH ORDINALITY AS h(hash, n)
         ORDER BY h.n ON CONFLICT DO NOTHING`,
        [
          s.id,
          s.userId,
          s.secretHash ?? null,
          s.refreshHash ?? null,
          s.createdAt,
          s.lastSeenAt,
          s.idleExpiresAt,
          s.absoluteExpiresAt,
          s.freshUntil,
          s.ip ?? null,
          s.userAgent ?? null,
          [...s.amr],
          [...s.previousRefreshHashes],
          generationParam(s.credentialGeneration),
          s.secondFactorAt ?? null,
          s.impersonatedBy ?? null,
        ],
      );
    },

    async get(id, now) {
      const { rows } = await db.query<SessionRow>(getSql, [id, now], getAs);
      return rows[0] === undefined ? undefined : toSession(rows[0]);
    },

    async touch(id, { now, idleExpiresAt }) {
      // The WHERE clause is the liveness check: a deleted or dead row is never written.
      const { rowCount } = await db.query(touchSql, [id, now, idleExpiresAt], touchAs);
      return rowCount === 1 ? 'touched' : 'not_found';
    },

    async rotateRefresh(id, { expectedHash, newHash, now }) {
      // One statement swaps the hash and records the old one. Concurrent rotations queue on
      // the row lock; the losers re-check refresh_hash against the winner's row and match
      // nothing.
      const { rowCount } = await db.query(
        `WITH rotated AS (
           UPDATE ${sessions} SET refresh_hash = $3
            WHERE id = $1 AND refresh_hash = $2 AND ${live(4)}
           RETURNING id)
         INSERT INTO ${refreshHashes} (session_id, hash)
         SELECT id, $2 FROM rotated ON CONFLICT DO NOTHING`,
        [id, expectedHash, newHash, now],
      );
      if (rowCount === 1) return 'rotated';
      // A new statement, so a new snapshot: it sees the winner's committed rotation.
      const { rows } = await db.query(
        `SELECT 1 FROM ${sessions} s JOIN ${refreshHashes} h ON h.session_id = s.id
          WHERE s.id = $1 AND h.hash = $2 AND ${live(3, 's.')}`,
        [id, expectedHash, now],
      );
      return rows.length === 1 ? 'reused' : 'not_found';
    },

    async markFresh(id, { freshUntil, amr, secondFactorAt, credentialGeneration, now }) {
      // One UPDATE: every field or none, and only on a live row (a markFresh racing a delete
      // matches nothing and never brings the session back). A field not given stays as it is.
      const { rowCount } = await db.query(
        `UPDATE ${sessions}
            SET fresh_until = ${ts(3)},
                amr = coalesce($4::text[], amr),
                second_factor_at = coalesce(${ts(5)}, second_factor_at),
                credential_generation = coalesce($6::bigint, credential_generation)
          WHERE id = $1 AND ${live(2)}`,
        [
          id,
          now,
          freshUntil,
          amr === undefined ? null : [...amr],
          secondFactorAt ?? null,
          credentialGeneration === undefined ? null : generationParam(credentialGeneration),
        ],
      );
      return rowCount === 1 ? 'updated' : 'not_found';
    },

    async listByUser(userId, now) {
      const { rows } = await db.query<SessionRow>(
        `SELECT ${columns} FROM ${sessions} s WHERE s.user_id = $1 AND ${live(2, 's.')}
          ORDER BY s.created_at DESC, s.id`,
        [userId, now],
      );
      return rows.map(toSession);
    },

    async delete(id) {
      await db.query(`DELETE FROM ${sessions} WHERE id = $1`, [id]);
    },

    async deleteByUser(userId, { exceptId } = {}) {
      await db.query(
        `DELETE FROM ${sessions} WHERE user_id = $1 AND ($2::text IS NULL OR id <> $2)`,
        [userId, exceptId ?? null],
      );
    },
  };
}

/** The record of a row selected with {@link sessionColumns}. */
export function toSession(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    userId: r.user_id,
    ...opt('secretHash', r.secret_hash),
    ...opt('refreshHash', r.refresh_hash),
    previousRefreshHashes: parseJson<string[]>(r.previous) ?? [],
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    idleExpiresAt: r.idle_expires_at,
    absoluteExpiresAt: r.absolute_expires_at,
    freshUntil: r.fresh_until,
    ...opt('ip', r.ip),
    ...opt('userAgent', r.user_agent),
    amr: (typeof r.amr === 'string' ? parseJson<string[]>(r.amr) : r.amr) ?? [],
    credentialGeneration: int(r.credential_generation),
    ...opt('secondFactorAt', r.second_factor_at),
    ...opt('impersonatedBy', r.impersonated_by),
  };
}
