import { ts } from '../sql.js';
import { print, type UsersContext, VIA } from './context.js';

/**
 * `sessions revoke-all` (after an incident; OWASP ASVS 7.4.5): ends every session of every
 * user and resolves to how many sessions, of how many users.
 *
 * One `DELETE` on the sessions table, not a walk through `users.list` deleting each user's
 * sessions. One statement is one snapshot and one transaction: when it returns, every session
 * that existed when it started is gone (a refresh racing it updates the row first, and the
 * DELETE then takes the updated row); if it fails, none is, and it can simply run again. A walk
 * would take a round trip per user, stop half-way on an error, and skip users that a keyset
 * page has passed (an import writes users with old `created_at` behind the cursor), leaving
 * their sessions alive. The refresh hashes go with their sessions (`ON DELETE CASCADE`).
 *
 * The same statement writes the audit rows of each user who had sessions, as core's
 * `revokeAllSessions` and the admin API would (`session.revoked_all` with reason `admin`, then
 * `admin.action` `sessions.revoked` with `all`, `everyUser` and the user's `count`), in the
 * columns the audit store's `append` writes: they commit with the deletion or not at all.
 */
export async function revokeAllSessions(ctx: UsersContext): Promise<void> {
  const { sessions, audit } = ctx.tables;
  const { rows } = await ctx.client.query<{ sessions: number; users: number }>(
    `WITH gone AS (
       DELETE FROM ${sessions} RETURNING user_id
     ), per_user AS (
       SELECT user_id, count(*) AS n FROM gone GROUP BY user_id
     ), audited AS (
       INSERT INTO ${audit} (user_id, type, created_at, data)
       SELECT p.user_id, e.type, ${ts(1)},
              CASE WHEN e.ord = 2 THEN e.data || jsonb_build_object('count', p.n) ELSE e.data END
         FROM per_user p
        CROSS JOIN (VALUES (1, 'session.revoked_all', $2::jsonb),
                           (2, 'admin.action', $3::jsonb)) AS e(ord, type, data)
        ORDER BY p.user_id, e.ord
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM gone)::float8 AS sessions,
            (SELECT count(*) FROM per_user)::float8 AS users`,
    [
      ctx.now(),
      JSON.stringify({ reason: 'admin', keptCurrent: false }),
      JSON.stringify({ action: 'sessions.revoked', via: VIA, all: true, everyUser: true }),
    ],
  );
  const { sessions: ended = 0, users = 0 } = rows[0] ?? {};
  print(ctx, { sessionsEnded: ended, users }, [
    `Ended ${ended} session${ended === 1 ? '' : 's'} of ${users} user${users === 1 ? '' : 's'}.`,
  ]);
}
