import type { RateLimitStore } from '@portcullis/core/storage';
import { ms, ts } from '../sql.js';
import type { Db } from './db.js';

/**
 * The `rateLimits` store: one row per key with its window (`count`, `reset_at`), the ids of the
 * window's allowed named hits (`hit_ids`, migration 0003) and its lock (`locked_until`). `hit`
 * is one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: PostgreSQL serializes concurrent hits on
 * the row, and each gets its own count back, across processes. `release` is one conditional
 * `UPDATE` on the row, so of concurrent releases of one id exactly one finds it.
 */
export function pgRateLimits(db: Db): RateLimitStore {
  const { rateLimits } = db.t;

  return {
    async hit(key, { limit, windowMs, now, id }) {
      // A window ends at reset_at: the first hit at or after it starts a new one. A row made
      // by lock() alone has no window (reset_at NULL), so its first hit starts one too. A named
      // hit's id is appended to hit_ids only when the hit is allowed (its count <= $4); a new
      // window restarts hit_ids (excluded.hit_ids: this id, or none), forgetting the old ids.
      // In SET, r.* is the row before this hit, so r.count + 1 is this hit's count.
      const { rows } = await db.query<{ count: number; reset_at: number }>(
        `INSERT INTO ${rateLimits} AS r (key, count, reset_at, hit_ids)
         VALUES ($1, 1, ${ts(2)} + $3::bigint * interval '1 millisecond',
           CASE WHEN $5::text IS NOT NULL AND 1 <= $4::float8 THEN ARRAY[$5::text]
                ELSE '{}'::text[] END)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN ${ts(2)} < r.reset_at THEN r.count + 1 ELSE 1 END,
           reset_at = CASE WHEN ${ts(2)} < r.reset_at THEN r.reset_at ELSE excluded.reset_at END,
           hit_ids = CASE WHEN ${ts(2)} < r.reset_at THEN
               CASE WHEN $5::text IS NOT NULL AND r.count + 1 <= $4::float8
                    THEN array_append(r.hit_ids, $5::text) ELSE r.hit_ids END
             ELSE excluded.hit_ids END
         RETURNING count, ${ms('reset_at', 'reset_at')}`,
        [key, now, windowMs, limit, id ?? null],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('rate limit upsert returned no row');
      return { count: row.count, allowed: row.count <= limit, resetAt: row.reset_at };
    },

    async peek(key, now) {
      const { rows } = await db.query<{ count: number; reset_at: number }>(
        `SELECT count, ${ms('reset_at', 'reset_at')} FROM ${rateLimits}
          WHERE key = $1 AND ${ts(2)} < reset_at`,
        [key, now],
      );
      const row = rows[0];
      return row === undefined ? undefined : { count: row.count, resetAt: row.reset_at };
    },

    async release(key, id, now) {
      // The row lock serializes concurrent releases; each re-checks `$2 = ANY(hit_ids)` on the
      // row as the one before it left it, so exactly one takes the hit back. A denied hit's id
      // was never added, and a new window or reset() forgot the old ones.
      const { rows } = await db.query(
        `UPDATE ${rateLimits}
            SET count = count - 1, hit_ids = array_remove(hit_ids, $2::text)
          WHERE key = $1 AND ${ts(3)} < reset_at AND $2::text = ANY(hit_ids)
          RETURNING 1 AS released`,
        [key, id, now],
      );
      return rows.length > 0;
    },

    async reset(key) {
      await db.query(`DELETE FROM ${rateLimits} WHERE key = $1`, [key]);
    },

    async lock(key, { untilMs }) {
      // greatest() keeps the later end: a shorter lock never shortens a longer one.
      await db.query(
        `INSERT INTO ${rateLimits} AS r (key, locked_until) VALUES ($1, ${ts(2)})
         ON CONFLICT (key) DO UPDATE SET locked_until = greatest(r.locked_until, excluded.locked_until)`,
        [key, untilMs],
      );
    },

    async lockedUntil(key, now) {
      const { rows } = await db.query<{ locked_until: number }>(
        `SELECT ${ms('locked_until', 'locked_until')} FROM ${rateLimits}
          WHERE key = $1 AND ${ts(2)} < locked_until`,
        [key, now],
      );
      return rows[0]?.locked_until;
    },
  };
}
