import type { RequestContext } from '../events/types.js';
import type { LoginHook } from '../login/hooks.js';
import { buildPageLink } from '../mail/link.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { assertNotLocked, enforceRule, recordFailure, resetRule, ruleKey } from './rate-limit.js';

const ACCOUNT = 'loginPerAccount';

/**
 * The sign-in throttle, a {@link LoginHook} that runs first (`createRuntime` registers it
 * before any other hook):
 * - `beforeAttempt`: while the identifier is locked (`loginPerAccount`, default 5 failures in
 *   15 min lock it for 15 min), refuses with `RATE_LIMITED`, the right password included, with
 *   `retryAfterSeconds` until the lock lifts; then counts the attempt for the client IP
 *   (`loginPerIp`, default 100 per 15 min; not counted when the IP is unknown).
 * - `onFailure`: counts the failure; the one that sets the lock emits `login.locked` and mails
 *   the owner an `account-locked` notice (known accounts only, sent in the background).
 * - `afterFirstFactor`: a correct password forgets the account's failures.
 *
 * Keys are normalized identifiers, so an unknown identifier is throttled exactly like a known
 * one. A known account counts its failures under its email address whichever identifier was
 * typed, and its lock covers its username too: the two do not add up to twice the budget.
 * @throws AuthError `RATE_LIMITED` (from `beforeAttempt`)
 */
export function loginThrottle(rt: AuthRuntime): LoginHook {
  return {
    async beforeAttempt({ identifierKey, context }) {
      await assertNotLocked(rt, ACCOUNT, identifierKey);
      if (context.ip !== undefined) await enforceRule(rt, 'loginPerIp', context.ip);
    },

    async onFailure({ identifierKey, userId, context }) {
      if (rt.config.rateLimits[ACCOUNT] === false) return;
      // An email identifier is the account's normalized email already. A username needs the
      // record; usernames are public (registration answers USERNAME_TAKEN), so this extra read
      // reveals nothing that was secret.
      const user =
        userId !== undefined && !identifierKey.includes('@')
          ? await rt.storage.users.getById(userId)
          : undefined;
      const untilMs = await recordFailure(rt, ACCOUNT, user?.emailNormalized ?? identifierKey);
      if (untilMs === undefined) return;
      await onLocked(rt, { userId, user, untilMs, context });
    },

    async afterFirstFactor({ user }) {
      // The identifier typed is the email or the username: both are reset.
      await unlockAccount(rt, user);
      return undefined;
    },
  };
}

/**
 * Forgets a user's sign-in failures and lifts the sign-in lock, under their email and their
 * username. Called after a correct password and after a completed password reset (the mailed
 * link proves the owner, who may have been locked out by someone else's guesses).
 */
export async function unlockAccount(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'emailNormalized' | 'usernameNormalized'>,
): Promise<void> {
  await resetRule(rt, ACCOUNT, user.emailNormalized);
  if (user.usernameNormalized !== undefined) {
    await resetRule(rt, ACCOUNT, user.usernameNormalized);
  }
}

/** The lock was just set: lock the username too, tell listeners, mail the owner once. */
async function onLocked(
  rt: AuthRuntime,
  lock: {
    userId: string | undefined;
    user: UserRecord | undefined;
    untilMs: number;
    context: RequestContext;
  },
): Promise<void> {
  const { userId, untilMs, context } = lock;
  const user =
    lock.user ?? (userId === undefined ? undefined : await rt.storage.users.getById(userId));
  if (user?.usernameNormalized !== undefined) {
    await rt.storage.rateLimits.lock(ruleKey(ACCOUNT, user.usernameNormalized), { untilMs });
  }
  const rule = rt.config.rateLimits[ACCOUNT];
  const failedAttempts = rule === false ? 0 : rule.limit;
  // Never the identifier: people type passwords into it. The event carries the IP and agent.
  await rt.emit(
    { type: 'login.locked', userId, data: { lockedUntil: untilMs, failedAttempts } },
    context,
  );
  // Nobody to tell for an unknown identifier; a disabled account cannot sign in anyway.
  if (!user || user.disabled) return;
  await rt.sendMail(
    'account-locked',
    user.email,
    {
      appName: rt.config.appName,
      firstName: user.firstName,
      at: new Date(rt.now()),
      ip: context.ip,
      userAgent: context.userAgent,
      until: new Date(untilMs),
      failedAttempts,
      link: buildPageLink(rt.config.appUrl, rt.config.passwordReset.path),
    },
    // Not awaited: the provider's latency must not tell a known account from an unknown one.
    { userId: user.id, context, background: true },
  );
}
