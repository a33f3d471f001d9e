import type {
  RecoveryCodeRecord,
  TrustedDeviceRecord,
  TwoFactorStore,
} from '@portcullis/core/storage';
import { generationParam, int, int8, ms, opt, ts } from '../sql.js';
import type { Db } from './db.js';

interface CodeRow {
  id: string;
  user_id: string;
  hash: string;
  used_at: number | null;
}

interface DeviceRow {
  id: string;
  user_id: string;
  secret_hash: string;
  user_agent: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  credential_generation: string;
}

const DEVICE_COLUMNS = [
  'id',
  'user_id',
  'secret_hash',
  'user_agent',
  ms('created_at', 'created_at'),
  ms('last_used_at', 'last_used_at'),
  ms('expires_at', 'expires_at'),
  int8('credential_generation', 'credential_generation'),
].join(', ');

/** The `twoFactor` store: recovery codes and trusted devices. */
export function pgTwoFactor(db: Db): TwoFactorStore {
  const { recoveryCodes: codes, trustedDevices: devices } = db.t;

  return {
    replaceRecoveryCodes: (userId, next) =>
      db.atomic(async (tx) => {
        // Serialized per user: under READ COMMITTED two replaces could otherwise each delete
        // the old rows and both insert, leaving a mix of two sets. The second key is the
        // user; the first keeps these locks apart from anyone else's advisory locks.
        await tx.query(
          `SELECT pg_advisory_xact_lock(hashtext('portcullis.recovery_codes'), hashtext($1))`,
          [userId],
        );
        await tx.query(`DELETE FROM ${codes} WHERE user_id = $1`, [userId]);
        if (next.length === 0) return;
        await tx.query(
          `INSERT INTO ${codes} (user_id, id, hash)
           SELECT $1, c.id, c.hash FROM unnest($2::text[], $3::text[]) AS c(id, hash)`,
          [userId, next.map((c) => c.id), next.map((c) => c.hash)],
        );
      }),

    async listRecoveryCodes(userId) {
      const { rows } = await db.query<CodeRow>(
        `SELECT id, user_id, hash, ${ms('used_at', 'used_at')} FROM ${codes} WHERE user_id = $1`,
        [userId],
      );
      return rows.map(toCode);
    },

    async markRecoveryCodeUsed(userId, id, { now }) {
      // Conditional on used_at IS NULL: of concurrent uses, the row lock lets one through.
      const { rowCount } = await db.query(
        `UPDATE ${codes} SET used_at = ${ts(3)} WHERE user_id = $1 AND id = $2 AND used_at IS NULL`,
        [userId, id, now],
      );
      if (rowCount === 1) return 'used';
      const { rows } = await db.query(`SELECT 1 FROM ${codes} WHERE user_id = $1 AND id = $2`, [
        userId,
        id,
      ]);
      return rows.length === 1 ? 'already_used' : 'not_found';
    },

    async createTrustedDevice(d) {
      await db.query(
        `INSERT INTO ${devices} (id, user_id, secret_hash, user_agent, created_at, last_used_at,
           expires_at, credential_generation)
         VALUES ($1, $2, $3, $4, ${ts(5)}, ${ts(6)}, ${ts(7)}, $8::bigint)`,
        [
          d.id,
          d.userId,
          d.secretHash,
          d.userAgent ?? null,
          d.createdAt,
          d.lastUsedAt,
          d.expiresAt,
          generationParam(d.credentialGeneration),
        ],
      );
    },

    async getTrustedDevice(id, now) {
      const { rows } = await db.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM ${devices} WHERE id = $1 AND ${ts(2)} < expires_at`,
        [id, now],
      );
      return rows[0] === undefined ? undefined : toDevice(rows[0]);
    },

    async listTrustedDevices(userId, now) {
      const { rows } = await db.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM ${devices} WHERE user_id = $1 AND ${ts(2)} < expires_at
          ORDER BY created_at DESC, id`,
        [userId, now],
      );
      return rows.map(toDevice);
    },

    async touchTrustedDevice(id, { now }) {
      // Writes only a live device: a touch racing a revocation never brings it back.
      const { rowCount } = await db.query(
        `UPDATE ${devices} SET last_used_at = ${ts(2)} WHERE id = $1 AND ${ts(2)} < expires_at`,
        [id, now],
      );
      return rowCount === 1 ? 'touched' : 'not_found';
    },

    async deleteTrustedDevice(id) {
      await db.query(`DELETE FROM ${devices} WHERE id = $1`, [id]);
    },

    async deleteAllTrustedDevices(userId) {
      await db.query(`DELETE FROM ${devices} WHERE user_id = $1`, [userId]);
    },

    async deleteByUser(userId) {
      // One statement, so both go or neither does.
      await db.query(
        `WITH gone AS (DELETE FROM ${codes} WHERE user_id = $1)
         DELETE FROM ${devices} WHERE user_id = $1`,
        [userId],
      );
    },
  };
}

function toCode(r: CodeRow): RecoveryCodeRecord {
  return { id: r.id, userId: r.user_id, hash: r.hash, ...opt('usedAt', r.used_at) };
}

function toDevice(r: DeviceRow): TrustedDeviceRecord {
  return {
    id: r.id,
    userId: r.user_id,
    secretHash: r.secret_hash,
    ...opt('userAgent', r.user_agent),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    credentialGeneration: int(r.credential_generation),
  };
}
