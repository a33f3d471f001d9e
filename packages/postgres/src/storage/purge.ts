import { ts } from '../sql.js';
import type { Db } from './db.js';

/** Options of `purgeExpired`. */
export interface PurgeOptions {
  /** What counts as now, epoch ms. Default `Date.now()`. */
  readonly now?: number;
  /** Most rows one `DELETE` removes; the purge loops until a batch comes back short. Default `1000`. */
  readonly batchSize?: number;
}

/** How many rows `purgeExpired` deleted, per kind. */
export interface PurgeResult {
  /** Sessions past their idle or absolute expiry (their replaced refresh hashes went with them). */
  readonly sessions: number;
  /** One-time tokens past expiry: links, codes and second-factor challenges. */
  readonly tokens: number;
  /** Trusted devices past expiry. */
  readonly trustedDevices: number;
  /** Rate-limit rows whose window and lock have both ended. */
  readonly rateLimits: number;
}

/**
 * Deletes dead rows in bounded batches, so a large backlog never becomes one long lock-holding
 * statement. It only collects garbage: every read already ignores dead rows, so running it
 * late or never changes no answer.
 */
export async function purgeExpired(db: Db, options: PurgeOptions = {}): Promise<PurgeResult> {
  const now = options.now ?? Date.now();
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError('purgeExpired: batchSize must be a positive integer.');
  }
  const { t } = db;
  // Each condition is the expression of the table's expiry index, so the batches use it.
  const dead: Record<keyof PurgeResult, [table: string, condition: string]> = {
    sessions: [t.sessions, `least(idle_expires_at, absolute_expires_at) <= ${ts(1)}`],
    tokens: [t.tokens, `expires_at <= ${ts(1)}`],
    trustedDevices: [t.trustedDevices, `expires_at <= ${ts(1)}`],
    rateLimits: [t.rateLimits, `greatest(reset_at, locked_until) <= ${ts(1)}`],
  };
  const counts = { sessions: 0, tokens: 0, trustedDevices: 0, rateLimits: 0 };
  for (const kind of Object.keys(counts) as (keyof PurgeResult)[]) {
    const [table, condition] = dead[kind];
    counts[kind] = await purgeTable(db, table, condition, now, batchSize);
  }
  return counts;
}

async function purgeTable(
  db: Db,
  table: string,
  dead: string,
  now: number,
  batchSize: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    // SKIP LOCKED: rows that a request is using right now wait for the next run instead of
    // making the purge (or the request) wait. The outer condition re-checks each row.
    const { rowCount } = await db.query(
      `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM ${table} WHERE ${dead} LIMIT $2 FOR UPDATE SKIP LOCKED)) AND ${dead}`,
      [now, batchSize],
    );
    total += rowCount;
    if (rowCount < batchSize) return total;
  }
}
