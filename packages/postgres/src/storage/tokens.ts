import type { JsonObject, OneTimeTokenRecord, TokenStore } from '@portcullis/core/storage';
import { ms, opt, parseJson, ts } from '../sql.js';
import type { Db } from './db.js';

interface TokenRow {
  purpose: string;
  selector: string;
  verifier_hash: string;
  /** NULL for a token of no user (migration 0005). */
  user_id: string | null;
  payload: string | null;
  expires_at: number;
  attempts: number;
}

const COLUMNS = [
  'purpose',
  'selector',
  'verifier_hash',
  'user_id',
  'payload::text AS payload',
  ms('expires_at', 'expires_at'),
  'attempts',
].join(', ');

/**
 * The `tokens` store. `consume` is one `DELETE … RETURNING` whose `WHERE` clause includes the
 * verifier: a wrong verifier matches nothing and deletes nothing, and of concurrent consumes
 * exactly one gets the row back. A token of no user has `user_id` NULL (read back without
 * `userId`), which the `user_id = $1` of `deleteByUser` never matches.
 */
export function pgTokens(db: Db): TokenStore {
  const { tokens } = db.t;

  return {
    async create(token) {
      const { rowCount } = await db.query(
        `INSERT INTO ${tokens} (purpose, selector, verifier_hash, user_id, payload, expires_at,
           attempts)
         VALUES ($1, $2, $3, $4, $5::jsonb, ${ts(6)}, $7)
         ON CONFLICT (purpose, selector) DO NOTHING`,
        [
          token.purpose,
          token.selector,
          token.verifierHash,
          token.userId ?? null,
          token.payload === undefined ? null : JSON.stringify(token.payload),
          token.expiresAt,
          token.attempts,
        ],
      );
      return rowCount === 1 ? 'created' : 'conflict';
    },

    async consume(purpose, selector, { verifierHash, now }) {
      // The verifier hash is compared with `=`: it is a hash of a 256-bit secret (or an HMAC
      // under a key the store never sees), so timing tells an attacker nothing useful.
      const { rows } = await db.query<TokenRow & { live: boolean }>(
        `DELETE FROM ${tokens} WHERE purpose = $1 AND selector = $2 AND verifier_hash = $3
         RETURNING ${COLUMNS}, ${ts(4)} < expires_at AS live`,
        [purpose, selector, verifierHash, now],
      );
      const row = rows[0];
      if (row === undefined) return { status: 'not_found' };
      // Matched but dead: deleted all the same, and reported as expired.
      return row.live ? { status: 'ok', record: toToken(row) } : { status: 'expired' };
    },

    recordFailure: (purpose, selector, { maxAttempts }) =>
      // One transaction: the row lock taken by the UPDATE is held until the DELETE, so no
      // consume can slip in between the last allowed failure and the token's removal.
      db.atomic(async (tx) => {
        const { rows } = await tx.query<{ attempts: number }>(
          `UPDATE ${tokens} SET attempts = attempts + 1 WHERE purpose = $1 AND selector = $2
           RETURNING attempts`,
          [purpose, selector],
        );
        const attempts = rows[0]?.attempts;
        if (attempts === undefined) return 0;
        if (attempts < maxAttempts) return maxAttempts - attempts;
        await tx.query(`DELETE FROM ${tokens} WHERE purpose = $1 AND selector = $2`, [
          purpose,
          selector,
        ]);
        return 0;
      }),

    async get(purpose, selector, now) {
      const { rows } = await db.query<TokenRow>(
        `SELECT ${COLUMNS} FROM ${tokens}
          WHERE purpose = $1 AND selector = $2 AND ${ts(3)} < expires_at`,
        [purpose, selector, now],
      );
      return rows[0] === undefined ? undefined : toToken(rows[0]);
    },

    async delete(purpose, selector) {
      await db.query(`DELETE FROM ${tokens} WHERE purpose = $1 AND selector = $2`, [
        purpose,
        selector,
      ]);
    },

    async deleteByUser(userId, { purpose } = {}) {
      await db.query(
        `DELETE FROM ${tokens} WHERE user_id = $1 AND ($2::text IS NULL OR purpose = $2)`,
        [userId, purpose ?? null],
      );
    },
  };
}

function toToken(r: TokenRow): OneTimeTokenRecord {
  return {
    purpose: r.purpose,
    selector: r.selector,
    verifierHash: r.verifier_hash,
    ...opt('userId', r.user_id),
    ...opt('payload', parseJson<JsonObject>(r.payload) ?? null),
    expiresAt: r.expires_at,
    attempts: r.attempts,
  };
}
