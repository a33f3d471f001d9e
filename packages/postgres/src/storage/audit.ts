import type { AuditEventRecord, AuditStore, JsonObject } from '@portcullis/core/storage';
import { ms, opt, parseJson, ts } from '../sql.js';
import type { Db } from './db.js';
import type { Statement } from './users-list.js';

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
 * The statement of `audit.listAll` over `table`: newest first by `sequence`, only the
 * conditions `options` asks for. Each shape is one backward index range, read until `LIMIT`:
 * the primary key without a type, `audit_events_type_sequence_idx` (migration 0008) with one.
 * `ORDER BY a.sequence`, not `sequence`: ORDER BY takes a bare name for the output column
 * first, which is the `float8` cast of COLUMNS; no index has that order, so every page would
 * read and sort the whole table.
 */
export function listAllStatement(
  table: string,
  options: Parameters<AuditStore['listAll']>[0],
): Statement {
  const params: unknown[] = [];
  const $ = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  if (options.type !== undefined) where.push(`a.type = ${$(options.type)}`);
  if (options.beforeSequence !== undefined) where.push(`a.sequence < ${$(options.beforeSequence)}`);
  const filter = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return {
    text: `SELECT ${COLUMNS} FROM ${table} AS a${filter}
      ORDER BY a.sequence DESC LIMIT ${$(Math.max(options.limit, 0))}`,
    params,
  };
}

/**
 * The `audit` store: an identity column numbers the events, so concurrent appends get
 * distinct, increasing sequences; `(user_id, sequence)` serves one user's newest-first pages,
 * the primary key and `(type, sequence)` everyone's (`listAll`).
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
              `SELECT ${COLUMNS} FROM ${audit} AS a WHERE a.user_id = $1
                ORDER BY a.sequence DESC LIMIT $2`,
              [userId, limit],
            )
          : await db.query<AuditRow>(
              `SELECT ${COLUMNS} FROM ${audit} AS a WHERE a.user_id = $1 AND a.sequence < $3
                ORDER BY a.sequence DESC LIMIT $2`,
              [userId, limit, beforeSequence],
            );
      return rows.map(toEvent);
    },

    async listAll(options) {
      const { text, params } = listAllStatement(audit, options);
      return (await db.query<AuditRow>(text, params)).rows.map(toEvent);
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
