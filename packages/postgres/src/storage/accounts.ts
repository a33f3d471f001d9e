import type { AccountRecord, AccountStore } from '@portcullis/core/storage';
import { ms, opt, ts } from '../sql.js';
import type { Db } from './db.js';
import { deleteKeepingOne } from './keep-one.js';

interface AccountRow {
  id: string;
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  created_at: number;
  last_used_at: number;
  encrypted_tokens: string | null;
}

const COLUMNS = [
  'id',
  'user_id',
  'provider',
  'subject',
  'email',
  ms('created_at', 'created_at'),
  ms('last_used_at', 'last_used_at'),
  'encrypted_tokens',
].join(', ');

/**
 * The `accounts` store: linked provider identities. The primary key and the unique
 * `(provider, subject)` make `create` a single `INSERT … ON CONFLICT DO NOTHING`; `delete` with
 * `keepOne` locks the user's links and deletes in one statement, so two concurrent unlinks of a
 * user's last two links leave one.
 */
export function pgAccounts(db: Db): AccountStore {
  const { accounts } = db.t;

  return {
    async create(a) {
      // ON CONFLICT DO NOTHING covers the id and (provider, subject) without an error, so a
      // duplicate is a result even inside a transaction; of concurrent inserts of one
      // identity, the others wait for the first and then insert nothing.
      const { rowCount } = await db.query(
        `INSERT INTO ${accounts} (id, user_id, provider, subject, email, created_at,
           last_used_at, encrypted_tokens)
         VALUES ($1, $2, $3, $4, $5, ${ts(6)}, ${ts(7)}, $8)
         ON CONFLICT DO NOTHING`,
        [
          a.id,
          a.userId,
          a.provider,
          a.subject,
          a.email ?? null,
          a.createdAt,
          a.lastUsedAt,
          a.encryptedTokens ?? null,
        ],
      );
      return rowCount === 1 ? 'created' : 'conflict';
    },

    async get(id) {
      const { rows } = await db.query<AccountRow>(
        `SELECT ${COLUMNS} FROM ${accounts} WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : toAccount(rows[0]);
    },

    async getBySubject(provider, subject) {
      const { rows } = await db.query<AccountRow>(
        `SELECT ${COLUMNS} FROM ${accounts} WHERE provider = $1 AND subject = $2`,
        [provider, subject],
      );
      return rows[0] === undefined ? undefined : toAccount(rows[0]);
    },

    async listByUser(userId) {
      // Ties by id in code-unit order (the index's COLLATE "C"), whatever the database's
      // collation: the order JavaScript's `<` gives.
      const { rows } = await db.query<AccountRow>(
        `SELECT ${COLUMNS} FROM ${accounts} WHERE user_id = $1
          ORDER BY created_at, id COLLATE "C"`,
        [userId],
      );
      return rows.map(toAccount);
    },

    async update(id, patch) {
      // One statement; each field is written only when the patch has it (`$n` says whether),
      // and a `null` value writes NULL, which reads back as an absent field.
      const { rowCount } = await db.query(
        `UPDATE ${accounts}
            SET last_used_at = coalesce(${ts(2)}, last_used_at),
                email = CASE WHEN $3 THEN $4 ELSE email END,
                encrypted_tokens = CASE WHEN $5 THEN $6 ELSE encrypted_tokens END
          WHERE id = $1`,
        [
          id,
          patch.lastUsedAt ?? null,
          patch.email !== undefined,
          patch.email ?? null,
          patch.encryptedTokens !== undefined,
          patch.encryptedTokens ?? null,
        ],
      );
      return rowCount === 1 ? 'updated' : 'not_found';
    },

    delete(id, options) {
      return deleteKeepingOne(db, accounts, id, options);
    },

    async deleteByUser(userId) {
      await db.query(`DELETE FROM ${accounts} WHERE user_id = $1`, [userId]);
    },
  };
}

function toAccount(r: AccountRow): AccountRecord {
  return {
    id: r.id,
    userId: r.user_id,
    provider: r.provider,
    subject: r.subject,
    ...opt('email', r.email),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    ...opt('encryptedTokens', r.encrypted_tokens),
  };
}
