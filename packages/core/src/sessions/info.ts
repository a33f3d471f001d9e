import type { SessionRecord } from '../storage/types/sessions.js';

/** A session record with or without its replaced refresh hashes (which this never reads). */
type AnySession = Omit<SessionRecord, 'previousRefreshHashes'>;

import { isoTime } from '../users/public.js';
import type { SessionInfo } from './types.js';

const iso = isoTime;

/** The client view of a stored session. */
export function toSessionInfo(session: AnySession, currentId?: string): SessionInfo {
  return {
    id: session.id,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(Math.min(session.idleExpiresAt, session.absoluteExpiresAt)),
    ip: session.ip ?? null,
    userAgent: session.userAgent ?? null,
    amr: session.amr,
    current: session.id === currentId,
    impersonatedBy: session.impersonatedBy ?? null,
  };
}
