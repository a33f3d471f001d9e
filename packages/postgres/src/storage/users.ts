import type { UserStore } from '@portcullis/core/storage';
import { generationParam, isUniqueViolation, ts } from '../sql.js';
import type { Db } from './db.js';
import { listStatement } from './users-list.js';
import { COLUMNS, patchSql, totpValues, toUser, type UserRow } from './users-row.js';

/** The `users` store: unique normalized email and username are unique indexes. */
export function pgUsers(db: Db): UserStore {
  const { users } = db.t;
  // One user by a unique column: named statements, planned once per connection (every
  // session validation reads its user by id; sign-in by email or username).
  const by = (key: string, column: string) => {
    const text = `SELECT ${COLUMNS} FROM ${users} WHERE ${column} = $1`;
    const options = db.prepared(key, text);
    return async (value: string) => {
      const { rows } = await db.query<UserRow>(text, [value], options);
      return rows[0] === undefined ? undefined : toUser(rows[0]);
    };
  };
  const byId = by('users_get_by_id', 'id');
  const byEmail = by('users_get_by_email', 'email_normalized');
  const byUsername = by('users_get_by_username', 'username_normalized');

  return {
    async create(user) {
      const t = user.totp;
      // ON CONFLICT DO NOTHING covers every unique index (id, email, username) without an
      // error, so a duplicate is a result even inside a transaction.
      const { rowCount } = await db.query(
        `INSERT INTO ${users} (id, email, email_normalized, email_verified_at, username,
           username_normalized, password_hash, first_name, last_name, phone, phone_verified_at,
           metadata, disabled, totp_secret, totp_algorithm, totp_digits, totp_period_seconds,
           totp_t0, totp_last_used_step, last_login_at, created_at, updated_at,
           credential_generation, roles)
         VALUES ($1, $2, $3, ${ts(4)}, $5, $6, $7, $8, $9, $10, ${ts(11)}, $12::jsonb, $13, $14,
           $15, $16, $17, $18, $19, ${ts(20)}, ${ts(21)}, ${ts(22)}, $23::bigint, $24::text[])
         ON CONFLICT DO NOTHING`,
        [
          user.id,
          user.email,
          user.emailNormalized,
          user.emailVerifiedAt ?? null,
          user.username ?? null,
          user.usernameNormalized ?? null,
          user.passwordHash ?? null,
          user.firstName ?? null,
          user.lastName ?? null,
          user.phone ?? null,
          user.phoneVerifiedAt ?? null,
          JSON.stringify(user.metadata),
          user.disabled,
          ...(t === undefined ? [null, null, null, null, null, null] : totpValues(t)),
          user.lastLoginAt ?? null,
          user.createdAt,
          user.updatedAt,
          generationParam(user.credentialGeneration),
          [...(user.roles ?? [])],
        ],
      );
      return rowCount === 1 ? 'created' : 'conflict';
    },

    getById: byId,
    getByEmail: byEmail,
    getByUsername: byUsername,

    async update(id, patch) {
      const { sets, params } = patchSql(patch, 2);
      try {
        const { rowCount } = await db.guarded((g) =>
          g.query(`UPDATE ${users} SET ${sets.join(', ')} WHERE id = $1`, [id, ...params]),
        );
        return rowCount === 0 ? 'not_found' : 'updated';
      } catch (error) {
        // One statement: a unique violation leaves the row as it was.
        if (isUniqueViolation(error)) return 'conflict';
        throw error;
      }
    },

    async advanceTotpStep(userId, step) {
      // The row lock serializes racers; each re-checks the condition on the winner's row.
      const { rowCount } = await db.query(
        `UPDATE ${users} SET totp_last_used_step = $2 WHERE id = $1 AND totp_secret IS NOT NULL
           AND (totp_last_used_step IS NULL OR totp_last_used_step < $2)`,
        [userId, step],
      );
      if (rowCount === 1) return 'advanced';
      const { rows } = await db.query(
        `SELECT 1 FROM ${users} WHERE id = $1 AND totp_secret IS NOT NULL`,
        [userId],
      );
      return rows.length === 1 ? 'replayed' : 'not_found';
    },

    async delete(id) {
      await db.query(`DELETE FROM ${users} WHERE id = $1`, [id]);
    },

    async list(query) {
      const { text, params } = listStatement(users, query);
      const { rows } = await db.query<UserRow>(text, params);
      return rows.map(toUser);
    },
  };
}
