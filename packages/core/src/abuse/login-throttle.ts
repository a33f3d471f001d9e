import { isAuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { buildPageLink } from '../mail/link.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { normalizeIdentifier } from '../users/normalize.js';
import { ipSubject } from './ip-subject.js';
import {
  assertNotLocked,
  enforceRule,
  type RuleHit,
  releaseReservation,
  reserveAttempt,
  reservedAttemptFailed,
  resetRule,
} from './rate-limit.js';

const ACCOUNT = 'loginPerAccount';

/**
 * The `loginPerAccount` subject of an attempt on `key` (a normalized identifier): the key
 * itself, or with `key: 'identifier+ip'` the client IP's subject (IPv6 per /64) and the key,
 * so each client address has its own budget and lock for the account. Without a known IP (a
 * direct call without `context.ip`) it falls back to the key alone. IPs hold no space, so the
 * first space splits the pair unambiguously.
 */
export function accountSubject(rt: AuthRuntime, key: string, context: RequestContext): string {
  const rule = rt.config.rateLimits[ACCOUNT];
  if (rule === false || rule.key !== 'identifier+ip' || context.ip === undefined) return key;
  return `${ipSubject(context.ip)} ${key}`;
}

/**
 * The sign-in throttle, before the password is checked: while the identifier is locked
 * (`loginPerAccount`, default 5 failures in 15 min lock it for 15 min), refuses with
 * `RATE_LIMITED`, the right password included, with `retryAfterSeconds` until the lock lifts;
 * then counts the attempt for the client IP (`loginPerIp`, default 100 per 15 min; not counted
 * when the IP is unknown); then reserves the attempt on the identifier's counter and refuses it
 * (`RATE_LIMITED`) when the window's limit is used up: of any number of concurrent attempts at
 * most `limit` passwords are checked. Resolves to the reservation, for
 * {@link signInAttemptFailed} or {@link releaseSignInAttempt}; a correct password then calls
 * {@link unlockAccount}.
 *
 * Keys are the normalized identifier as typed (with `key: 'identifier+ip'`, paired with the
 * client IP: {@link accountSubject}), so an unknown identifier is throttled exactly like a
 * known one, and an account's email and username are counted and locked apart: a shared
 * budget would tell which email a username belongs to. A refusal emits `login.throttled`.
 * @throws AuthError `RATE_LIMITED`
 */
export async function reserveSignInAttempt(
  rt: AuthRuntime,
  identifierKey: string,
  context: RequestContext,
): Promise<RuleHit | undefined> {
  const subject = accountSubject(rt, identifierKey, context);
  // Locked: refused before the IP counts, as no password will be checked.
  await throttleStep(rt, ACCOUNT, context, () => assertNotLocked(rt, ACCOUNT, subject));
  const { ip } = context;
  if (ip !== undefined) {
    await throttleStep(rt, 'loginPerIp', context, () => enforceRule(rt, 'loginPerIp', ip));
  }
  return throttleStep(rt, ACCOUNT, context, () => reserveAttempt(rt, ACCOUNT, subject));
}

/**
 * Runs one step of the sign-in throttle; its `RATE_LIMITED` refusal emits `login.throttled`
 * (`data.rule`, `data.retryAfterSeconds`; budgeted, see `events/budget.ts`) and is rethrown.
 */
async function throttleStep<T>(
  rt: AuthRuntime,
  rule: 'loginPerAccount' | 'loginPerIp',
  context: RequestContext,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    // No user id (the identifier is not looked up before the throttle, so a refusal costs
    // the same for every identifier) and never the identifier: people paste passwords into it.
    if (isAuthError(error) && error.code === 'RATE_LIMITED') {
      const retryAfterSeconds = error.retryAfterSeconds ?? null;
      await rt.emit({ type: 'login.throttled', data: { rule, retryAfterSeconds } }, context);
    }
    throw error;
  }
}

/**
 * A sign-in's password was wrong (or the identifier unknown): the failure whose reservation
 * reached the limit sets the lock, emits `login.locked` and mails the owner an
 * `account-locked` notice (known accounts only, sent in the background). Sequentially: the 5th
 * wrong password is still `INVALID_CREDENTIALS`, the 6th attempt `RATE_LIMITED`.
 */
export async function signInAttemptFailed(
  rt: AuthRuntime,
  identifierKey: string,
  reservation: RuleHit | undefined,
  failure: { userId: string | undefined; context: RequestContext },
): Promise<void> {
  if (reservation === undefined) return;
  await passwordCheckFailed(rt, identifierKey, reservation, failure);
}

/**
 * An attempt whose password was never checked (a server failure before the check), or a
 * correct password that still does not sign in (disabled or unverified account): the attempt
 * is given back, exactly once (see {@link releaseReservation}); it neither counts nor clears
 * the failures. Never throws: the give-back runs off the request path, retried while the store
 * is down.
 */
export async function releaseSignInAttempt(
  rt: AuthRuntime,
  identifierKey: string,
  reservation: RuleHit | undefined,
  context: RequestContext = {},
): Promise<void> {
  if (reservation !== undefined) {
    await releaseReservation(rt, ACCOUNT, accountSubject(rt, identifierKey, context), reservation);
  }
}

/**
 * The `loginPerAccount` key of a signed-in user's password re-checks: the key sign-in uses for
 * the account's email ({@link normalizeIdentifier}), so re-checks and sign-ins share one budget
 * and one lock.
 */
export function passwordCheckKey(user: Pick<UserRecord, 'emailNormalized'>): string {
  return normalizeIdentifier(user.emailNormalized).key;
}

/**
 * Reserves one password check under `loginPerAccount` for `key` (paired with the client IP
 * under `key: 'identifier+ip'`, see {@link accountSubject}), before the check (see
 * {@link reserveAttempt}). @throws AuthError `RATE_LIMITED` while locked or over the limit
 */
export function reservePasswordCheck(
  rt: AuthRuntime,
  key: string,
  context: RequestContext = {},
): Promise<RuleHit> {
  return reserveAttempt(rt, ACCOUNT, accountSubject(rt, key, context));
}

/**
 * A reserved password check failed: the failure whose reservation reached the limit locks
 * `key`, emits `login.locked` and mails the owner (when `userId` names an account).
 */
export async function passwordCheckFailed(
  rt: AuthRuntime,
  key: string,
  reservation: RuleHit,
  failure: { userId: string | undefined; context: RequestContext },
): Promise<void> {
  const subject = accountSubject(rt, key, failure.context);
  const untilMs = await reservedAttemptFailed(rt, ACCOUNT, subject, reservation);
  if (untilMs === undefined) return;
  await onLocked(rt, { userId: failure.userId, untilMs, context: failure.context });
}

/**
 * Forgets a user's sign-in failures and lifts the sign-in lock, under their email and their
 * username. Called after a correct password and after a completed password reset (the mailed
 * link proves the owner, who may have been locked out by someone else's guesses). With
 * `key: 'identifier+ip'`, the keys of `context.ip` (the client that proved the password) are
 * cleared, besides the IP-less ones; other addresses' counters stay (they are not the owner's).
 */
export async function unlockAccount(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'emailNormalized' | 'usernameNormalized'>,
  context: RequestContext = {},
): Promise<void> {
  const keys = [passwordCheckKey(user)];
  if (user.usernameNormalized !== undefined) keys.push(user.usernameNormalized);
  for (const key of keys) {
    await resetRule(rt, ACCOUNT, key);
    const paired = accountSubject(rt, key, context);
    if (paired !== key) await resetRule(rt, ACCOUNT, paired);
  }
}

/** The lock was just set: tell listeners, mail the owner once. */
async function onLocked(
  rt: AuthRuntime,
  lock: { userId: string | undefined; untilMs: number; context: RequestContext },
): Promise<void> {
  const { userId, untilMs, context } = lock;
  const user = userId === undefined ? undefined : await rt.storage.users.getById(userId);
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
