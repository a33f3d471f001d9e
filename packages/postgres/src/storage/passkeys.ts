import type { PasskeyRecord, PasskeyStore } from '@portcullis/core/storage';
import { int, int8, json, ms, opt, parseJson, ts } from '../sql.js';
import type { Db } from './db.js';
import { deleteKeepingOne } from './keep-one.js';

interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: string | number;
  transports: string | string[];
  device_type: PasskeyRecord['deviceType'];
  backed_up: boolean;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS = [
  'id',
  'user_id',
  'credential_id',
  'public_key',
  int8('counter', 'counter'),
  json('transports', 'transports'),
  'device_type',
  'backed_up',
  'name',
  ms('created_at', 'created_at'),
  ms('last_used_at', 'last_used_at'),
].join(', ');

/**
 * The `passkeys` store: users' WebAuthn credentials. The primary key and the unique
 * `credential_id` make `create` a single `INSERT … ON CONFLICT DO NOTHING`; `recordUse` raises
 * the counter in the `UPDATE` itself (`greatest`), so concurrent uses leave the highest; `delete`
 * with `keepOne` locks the user's passkeys and deletes in one statement, as `accounts.delete`
 * does, so two concurrent deletes of a user's last two passkeys leave one.
 */
export function pgPasskeys(db: Db): PasskeyStore {
  const { passkeys } = db.t;

  return {
    async create(p) {
      // ON CONFLICT DO NOTHING covers the id and the credential id without an error, so a
      // duplicate is a result even inside a transaction; of concurrent inserts of one
      // credential, the others wait for the first and then insert nothing.
      const { rowCount } = await db.query(
        `INSERT INTO ${passkeys} (id, user_id, credential_id, public_key, counter, transports,
           device_type, backed_up, name, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5::bigint, $6::text[], $7, $8, $9, ${ts(10)}, ${ts(11)})
         ON CONFLICT DO NOTHING`,
        [
          p.id,
          p.userId,
          p.credentialId,
          p.publicKey,
          String(p.counter),
          [...p.transports],
          p.deviceType,
          p.backedUp,
          p.name,
          p.createdAt,
          p.lastUsedAt ?? null,
        ],
      );
      return rowCount === 1 ? 'created' : 'conflict';
    },

    async get(id) {
      const { rows } = await db.query<PasskeyRow>(
        `SELECT ${COLUMNS} FROM ${passkeys} WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : toPasskey(rows[0]);
    },

    async getByCredentialId(credentialId) {
      const { rows } = await db.query<PasskeyRow>(
        `SELECT ${COLUMNS} FROM ${passkeys} WHERE credential_id = $1`,
        [credentialId],
      );
      return rows[0] === undefined ? undefined : toPasskey(rows[0]);
    },

    async listByUser(userId) {
      // Ties by id in code-unit order (the index's COLLATE "C"), whatever the database's
      // collation: the order JavaScript's `<` gives.
      const { rows } = await db.query<PasskeyRow>(
        `SELECT ${COLUMNS} FROM ${passkeys} WHERE user_id = $1
          ORDER BY created_at, id COLLATE "C"`,
        [userId],
      );
      return rows.map(toPasskey);
    },

    async recordUse(id, { counter, backedUp, now }) {
      // The counter only ever rises, in the row's own update: a racer waits for the row lock
      // and compares with what the first one wrote, so concurrent uses leave the highest.
      const { rowCount } = await db.query(
        `UPDATE ${passkeys}
            SET counter = greatest(counter, $2::bigint), backed_up = $3, last_used_at = ${ts(4)}
          WHERE id = $1`,
        [id, String(counter), backedUp, now],
      );
      return rowCount === 1 ? 'updated' : 'not_found';
    },

    async rename(id, { userId, name }) {
      const { rowCount } = await db.query(
        `UPDATE ${passkeys} SET name = $3 WHERE id = $1 AND user_id = $2`,
        [id, userId, name],
      );
      return rowCount === 1 ? 'updated' : 'not_found';
    },

    delete(id, options) {
      return deleteKeepingOne(db, passkeys, id, options);
    },

    async deleteByUser(userId) {
      await db.query(`DELETE FROM ${passkeys} WHERE user_id = $1`, [userId]);
    },
  };
}

function toPasskey(r: PasskeyRow): PasskeyRecord {
  return {
    id: r.id,
    userId: r.user_id,
    credentialId: r.credential_id,
    publicKey: r.public_key,
    counter: int(r.counter),
    transports:
      (typeof r.transports === 'string' ? parseJson<string[]>(r.transports) : r.transports) ?? [],
    deviceType: r.device_type,
    backedUp: r.backed_up,
    name: r.name,
    createdAt: r.created_at,
    ...opt('lastUsedAt', r.last_used_at),
  };
}
