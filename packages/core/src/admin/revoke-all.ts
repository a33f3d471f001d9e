import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { type AdminActor, actorWith } from './users.js';

/** What `auth.admin.sessions.revokeAll` ended. */
export interface RevokeAllResult {
  /** Sessions ended: those live when the sweep reached their user. */
  readonly sessionsEnded: number;
  /** Users who had at least one of them. */
  readonly users: number;
}

/** Users read per page of the sweep (and swept concurrently). */
const PAGE = 100;

/**
 * Ends every session of every user (`sessions:revoke`; OWASP ASVS 7.4.5, after an incident),
 * the calling admin's own included. Resolves to how many sessions of how many users ended.
 *
 * The storage contract has no "delete every session" (the PostgreSQL CLI's `sessions
 * revoke-all` runs one `DELETE` on its own table), so this sweeps the users in `users.list`
 * pages, `(createdAt, id)` order, deleting each user's sessions. Those pages never skip a
 * user that existed when the sweep started, and a session belongs to a user who existed
 * before it: every session that existed when the call started is gone when it returns. A
 * sign-in that writes its session before the sweep reaches its user is ended; one that writes
 * it after (or a user created meanwhile) is a sign-in after the revocation, and stays. A store
 * failure stops the sweep with the error; calling again is safe (and finishes the job).
 *
 * Each user who had sessions gets `session.revoked_all` (reason `admin`) and `admin.action`
 * `sessions.revoked` (`all`, `everyUser`, `count`), as the CLI writes them; the admin's own
 * trail gets `admin.action` `sessions.revoked_all` with the totals.
 * @throws AuthError `FORBIDDEN`, `UNAUTHENTICATED`
 */
export async function revokeEverySession(
  rt: AuthRuntime,
  actor: AdminActor,
  context: RequestContext,
): Promise<RevokeAllResult> {
  const admin = await actorWith(rt, actor, 'sessions:revoke');
  let sessionsEnded = 0;
  let users = 0;
  let after: { createdAt: number; id: string } | undefined;
  for (;;) {
    const page = await rt.storage.users.list({ limit: PAGE, ...(after ? { after } : {}) });
    const counts = await Promise.all(page.map((user) => endSessionsOf(rt, user, admin, context)));
    for (const count of counts) {
      sessionsEnded += count;
      if (count > 0) users += 1;
    }
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) break;
    after = { createdAt: last.createdAt, id: last.id };
  }
  await rt.emit(
    {
      type: 'admin.action',
      userId: admin.id,
      data: { action: 'sessions.revoked_all', adminId: admin.id, sessionsEnded, users },
    },
    context,
  );
  return { sessionsEnded, users };
}

/** Ends one user's sessions, audited as the CLI audits it; resolves to how many were live. */
async function endSessionsOf(
  rt: AuthRuntime,
  user: UserRecord,
  admin: UserRecord,
  context: RequestContext,
): Promise<number> {
  const live = await rt.storage.sessions.listByUser(user.id, rt.now());
  if (live.length === 0) return 0;
  await rt.storage.sessions.deleteByUser(user.id);
  await rt.emit(
    {
      type: 'session.revoked_all',
      userId: user.id,
      data: { reason: 'admin', keptCurrent: false },
    },
    context,
  );
  await rt.emit(
    {
      type: 'admin.action',
      userId: user.id,
      data: {
        action: 'sessions.revoked',
        adminId: admin.id,
        all: true,
        everyUser: true,
        count: live.length,
      },
    },
    context,
  );
  return live.length;
}
