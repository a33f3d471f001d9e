import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import { parseInput, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { AuditEventRecord } from '../storage/types/audit.js';
import type { JsonObject } from '../storage/types/json.js';
import { type AdminActor, actorWith } from './users.js';

/** An audit event as the admin API shows it. */
export interface AdminAuditEvent {
  /** The event's place in the log: newer events have greater ones. */
  readonly sequence: number;
  readonly type: string;
  /** When, ISO 8601. */
  readonly at: string;
  /** The user it concerns. */
  readonly userId: string;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** Its facts (ids, reasons; never a secret). */
  readonly data: JsonObject;
}

/** The largest page of `GET /admin/audit`. */
const AUDIT_PAGE_MAX = 200;

/** Input of {@link listAuditAsAdmin}. */
export const adminAuditSchema = v.object({
  userId: v.optional(text('userId', 128)),
  type: v.optional(
    v.pipe(
      v.string('type must be a string'),
      v.regex(/^[a-z0-9_.]{1,64}$/, 'type must be an event type such as login.failed'),
    ),
  ),
  cursor: v.optional(
    v.pipe(
      v.string('cursor must be a string'),
      v.regex(/^\d{1,16}$/, 'cursor is not one this server gave'),
    ),
  ),
  limit: v.optional(
    v.pipe(
      v.number('limit must be a number'),
      v.integer('limit must be a whole number'),
      v.minValue(1, 'limit must be at least 1'),
      v.maxValue(AUDIT_PAGE_MAX, `limit must be at most ${AUDIT_PAGE_MAX}`),
    ),
  ),
});

function view(e: AuditEventRecord): AdminAuditEvent {
  return {
    sequence: e.sequence,
    type: e.type,
    at: new Date(e.createdAt).toISOString(),
    userId: e.userId,
    sessionId: e.sessionId ?? null,
    ip: e.ip ?? null,
    userAgent: e.userAgent ?? null,
    data: e.data ?? {},
  };
}

/**
 * Security events across users, newest first (`audit:read`): of one user and/or one type;
 * `limit` 1 to 200 (default 50); `nextCursor` gives the next page, `null` after the last.
 * @throws AuthError `FORBIDDEN`, `VALIDATION_FAILED`, `UNAUTHENTICATED`
 */
export async function listAuditAsAdmin(
  rt: AuthRuntime,
  actor: AdminActor,
  input: { userId?: unknown; type?: unknown; cursor?: unknown; limit?: unknown },
): Promise<{ events: AdminAuditEvent[]; nextCursor: string | null }> {
  const { userId, type, cursor, limit } = parseInput(adminAuditSchema, input);
  await actorWith(rt, actor, 'audit:read');
  const size = limit ?? 50;
  let before = cursor === undefined ? undefined : Number(cursor);
  if (before !== undefined && !Number.isSafeInteger(before)) {
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'cursor', message: 'cursor is not one this server gave' }],
    });
  }
  let events: AuditEventRecord[];
  if (userId === undefined) {
    events = await rt.storage.audit.listAll({
      limit: size + 1,
      ...(before === undefined ? {} : { beforeSequence: before }),
      ...(type === undefined ? {} : { type }),
    });
  } else {
    // One user's events are few: read them page by page and keep those of the type.
    events = [];
    for (;;) {
      const page = await rt.storage.audit.list(userId, {
        limit: AUDIT_PAGE_MAX,
        ...(before === undefined ? {} : { beforeSequence: before }),
      });
      events.push(...page.filter((e) => type === undefined || e.type === type));
      const last = page.at(-1);
      if (events.length > size || page.length < AUDIT_PAGE_MAX || last === undefined) break;
      before = last.sequence;
    }
  }
  const page = events.slice(0, size);
  const last = page.at(-1);
  return {
    events: page.map(view),
    nextCursor: events.length > size && last !== undefined ? String(last.sequence) : null,
  };
}
