import type { UserStore } from '@portcullis/core/storage';
import { generationParam, isUniqueViolation, ts } from '../sql.js';
import type { Db } from './db.js';
import { fieldInsert, NO_FIELDS, splitMetadata, type UserFields } from './field-columns.js';
import { listStatement } from './users-list.js';
import { patchSql, totpValues, toUser, type UserRow, userColumns } from './users-row.js';

/**
 * The `users` store: unique normalized email and username are unique indexes. The metadata
 * keys of `mapped` are written to and read from their own columns instead of `metadata`.
 */
export function pgUsers(db: Db, mapped: UserFields = NO_FIELDS): UserStore {
  const { users } = db.t;
  const { fields, ready } = mapped;
  const columns = userColumns('', '', fields);
  const read = (row: UserRow) => toUser(row, fields);
  // One user by a unique column: named statements, planned once per connection (every
  // session validation reads its user by id; sign-in by email or username). The mapped
  // columns are in the text, so a storage with other columns gets other statement names.
  const by = (key: string, column: string) => {
    const text = `SELECT ${columns} FROM ${users} WHERE ${column} = $1`;
    const options = db.prepared(key, text);
    return async (value: string) => {
      await ready(db);
      const { rows } = await db.query<UserRow>(text, [value], options);
      return rows[0] === undefined ? undefined : read(rows[0]);
    };
  };
  const byId = by('users_get_by_id', 'id');
  const byEmail = by('users_get_by_email', 'email_normalized');
  const byUsername = by('users_get_by_username', 'username_normalized');

  return {
    async create(user) {
      const t = user.totp;
      // Refuses a value its column cannot take before anything is sent.
      const { rest, values } = splitMetadata(user.metadata, fields);
      const own = [
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
        JSON.stringify(rest),
        user.disabled,
        ...(t === undefined ? [null, null, null, null, null, null] : totpValues(t)),
        user.lastLoginAt ?? null,
        user.createdAt,
        user.updatedAt,
        generationParam(user.credentialGeneration),
        [...(user.roles ?? [])],
      ];
      const mappedInsert = fieldInsert(fields, values, own.length + 1);
      await ready(db);
      // ON CONFLICT DO NOTHING covers every unique index (id, email, username) without an
      // error, so a duplicate is a result even inside a transaction.
      const { rowCount } = await db.query(
        `INSERT INTO ${users} (id, email, email_normalized, email_verified_at, username,
           username_normalized, password_hash, first_name, last_name, phone, phone_verified_at,
           metadata, disabled, totp_secret, totp_algorithm, totp_digits, totp_period_seconds,
           totp_t0, totp_last_used_step, last_login_at, created_at, updated_at,
           credential_generation, roles${mappedInsert.columns})
         VALUES ($1, $2, $3, ${ts(4)}, $5, $6, $7, $8, $9, $10, ${ts(11)}, $12::jsonb, $13, $14,
           $15, $16, $17, $18, $19, ${ts(20)}, ${ts(21)}, ${ts(22)}, $23::bigint,
           $24::text[]${mappedInsert.placeholders})
         ON CONFLICT DO NOTHING`,
        [...own, ...mappedInsert.params],
      );
      return rowCount === 1 ? 'created' : 'conflict';
    },

    getById: byId,
    getByEmail: byEmail,
    getByUsername: byUsername,

    async update(id, patch) {
      const { sets, params } = patchSql(patch, 2, fields);
      await ready(db);
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
      const { text, params } = listStatement(users, query, columns);
      await ready(db);
      const { rows } = await db.query<UserRow>(text, params);
      return rows.map(read);
    },
  };
}
