import type { AuditEventRecord, AuditStore, JsonObject } from '@portcullis/core/storage';
import { ms, opt, parseJson, ts } from '../sql.js';
import type { Db } from './db.js';

interface AuditRow {
  sequence: number;
  user_id: string;
  type: string;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
  session_id: string | null;
  data: string | null;
}

const COLUMNS = [
  'sequence::float8 AS sequence',
  'user_id',
  'type',
  ms('created_at', 'created_at'),
  'ip',
  'user_agent',
  'session_id',
  'data::text AS data',
].join(', ');

/**
 * The `audit` store: an identity column numbers the events, so concurrent appends get
 * distinct, increasing sequences; `(user_id, sequence)` serves the newest-first pages.
 */
export function pgAudit(db: Db): AuditStore {
  const { audit } = db.t;

  return {
    async append(e) {
      const { rows } = await db.query<{ sequence: number }>(
        `INSERT INTO ${audit} (user_id, type, created_at, ip, user_agent, session_id, data)
         VALUES ($1, $2, ${ts(3)}, $4, $5, $6, $7::jsonb)
         RETURNING sequence::float8 AS sequence`,
        [
          e.userId,
          e.type,
          e.createdAt,
          e.ip ?? null,
          e.userAgent ?? null,
          e.sessionId ?? null,
          e.data === undefined ? null : JSON.stringify(e.data),
        ],
      );
      const sequence = rows[0]?.sequence;
      if (sequence === undefined) throw new Error('audit insert returned no sequence');
      return sequence;
    },

    async list(userId, { limit, beforeSequence }) {
      const { rows } =
        beforeSequence === undefined
          ? await db.query<AuditRow>(
              `SELECT ${COLUMNS} FROM ${audit} WHERE user_id = $1
                ORDER BY sequence DESC LIMIT $2`,
              [userId, limit],
            )
          : await db.query<AuditRow>(
              `SELECT ${COLUMNS} FROM ${audit} WHERE user_id = $1 AND sequence < $3
                ORDER BY sequence DESC LIMIT $2`,
              [userId, limit, beforeSequence],
            );
      return rows.map(toEvent);
    },

    async deleteByUser(userId) {
      await db.query(`DELETE FROM ${audit} WHERE user_id = $1`, [userId]);
    },
  };
}

function toEvent(r: AuditRow): AuditEventRecord {
  return {
    sequence: r.sequence,
    userId: r.user_id,
    type: r.type,
    createdAt: r.created_at,
    ...opt('ip', r.ip),
    ...opt('userAgent', r.user_agent),
    ...opt('sessionId', r.session_id),
    ...opt('data', parseJson<JsonObject>(r.data) ?? null),
  };
}
