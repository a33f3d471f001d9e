import type { RateLimitStore } from '@portcullis/core/storage';
import { ms, ts } from '../sql.js';
import type { Db } from './db.js';

/**
 * The `rateLimits` store: one row per key with its window (`count`, `reset_at`) and its lock
 * (`locked_until`). `hit` is one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: PostgreSQL
 * serializes concurrent hits on the row, and each gets its own count back, across processes.
 */
export function pgRateLimits(db: Db): RateLimitStore {
  const { rateLimits } = db.t;

  return {
    async hit(key, { limit, windowMs, now }) {
      // A window ends at reset_at: the first hit at or after it starts a new one. A row made
      // by lock() alone has no window (reset_at NULL), so its first hit starts one too.
      const { rows } = await db.query<{ count: number; reset_at: number }>(
        `INSERT INTO ${rateLimits} AS r (key, count, reset_at)
         VALUES ($1, 1, ${ts(2)} + $3::bigint * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN ${ts(2)} < r.reset_at THEN r.count + 1 ELSE 1 END,
           reset_at = CASE WHEN ${ts(2)} < r.reset_at THEN r.reset_at ELSE excluded.reset_at END
         RETURNING count, ${ms('reset_at', 'reset_at')}`,
        [key, now, windowMs],
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
