import { auditAction, auditSessionsEnded, findUser, print, type UsersContext } from './context.js';
import { findLockRows, lockKeysOf } from './locks.js';
import type { UsersCommand } from './users-command.js';
import { nameOf } from './users-view.js';

/**
 * `users revoke-sessions`: ends every session of the user (`session.revoked_all`, reason
 * `admin`, and `admin.action` `sessions.revoked` when there were any).
 * @throws CliError exit 1 for no such user
 */
export async function revokeSessions(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'revoke-sessions' }>,
): Promise<void> {
  const user = await findUser(ctx.storage, command.user);
  const ended = await ctx.storage.transaction(async (tx) => {
    const now = ctx.now();
    const live = (await tx.sessions.listByUser(user.id, now)).length;
    await tx.sessions.deleteByUser(user.id);
    if (live > 0) {
      await auditSessionsEnded(tx.audit, { userId: user.id, at: now, reason: 'admin' });
      await auditAction(tx.audit, {
        userId: user.id,
        at: now,
        action: 'sessions.revoked',
        data: { all: true, count: live },
      });
    }
    return live;
  });
  print(ctx, { userId: user.id, sessionsEnded: ended }, [
    `Ended ${ended} session${ended === 1 ? '' : 's'} of ${nameOf(user)}.`,
  ]);
}

/**
 * `users unlock`: lifts the user's sign-in locks (wrong passwords; under the email, the
 * username, and with `key: 'identifier+ip'` every client address's) and second-factor lock
 * (wrong codes), and forgets the failures counted towards them, as core's `unlockAccount` and
 * `secondFactorSucceeded` do for one address. Through the rate-limit store of this database:
 * rate limits kept in Redis are out of its reach.
 * @throws CliError exit 1 for no such user
 */
export async function unlockUser(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'unlock' }>,
): Promise<void> {
  const user = await findUser(ctx.storage, command.user);
  const rows = await findLockRows(ctx.client, ctx.tables.rateLimits, lockKeysOf(user));
  const result = await ctx.storage.transaction(async (tx) => {
    const now = ctx.now();
    let signIn = 0;
    let secondFactor = 0;
    for (const row of rows) {
      // Read again in the transaction: a lock may have ended (or begun) since the search.
      const locked = (await tx.rateLimits.lockedUntil(row.key, now)) !== undefined;
      await tx.rateLimits.reset(row.key);
      if (locked && row.kind === 'signIn') signIn += 1;
      if (locked && row.kind === 'secondFactor') secondFactor += 1;
    }
    if (rows.length > 0) {
      await auditAction(tx.audit, {
        userId: user.id,
        at: now,
        action: 'user.unlocked',
        data: { signInLocks: signIn, secondFactorLocked: secondFactor > 0 },
      });
    }
    return { signInLocksLifted: signIn, secondFactorLockLifted: secondFactor > 0 };
  });
  const lifted = [
    ...(result.signInLocksLifted > 0
      ? [
          result.signInLocksLifted === 1
            ? 'sign-in lock'
            : `${result.signInLocksLifted} sign-in locks`,
        ]
      : []),
    ...(result.secondFactorLockLifted ? ['second-factor lock'] : []),
  ];
  print(ctx, { userId: user.id, ...result, countersCleared: rows.length }, [
    lifted.length === 0
      ? `${nameOf(user)} was not locked${rows.length === 0 ? '' : '; failed attempts forgotten'}.`
      : `Unlocked ${nameOf(user)}: lifted the ${lifted.join(' and the ')}.`,
  ]);
}
