import type { RateLimitRuleName } from '../config/types.js';
import { randomToken, TOKEN_ID_BYTES } from '../crypto/tokens.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import { compensate } from '../flows/compensate.js';
import type { AuthRuntime } from '../runtime/context.js';
import { ipSubject } from './ip-subject.js';

/** What {@link hitRule} found: the rule is off, the hit was allowed, or it reached the limit. */
export interface RuleHit {
  /** Hits in the current window, this one included (0 when the rule is off). */
  readonly count: number;
  /** False when this hit went over the rule's limit. */
  readonly allowed: boolean;
  /** When the window ends, epoch ms (now when the rule is off). */
  readonly resetAt: number;
  /** The hit's name in the store, for {@link releaseReservation} (reservations only). */
  readonly id?: string;
}

/**
 * The storage key of a rule's counter (or lock) for one subject (an account key, an IP). The
 * subject of a per-IP rule (`loginPerIp`, `codeSendPerIp`, ...) is the address's
 * {@link ipSubject}: an IPv6 client counts for its /64.
 */
export function ruleKey(rule: RateLimitRuleName, subject: string): string {
  return `${rule}:${rule.endsWith('PerIp') ? ipSubject(subject) : subject}`;
}

/** `RATE_LIMITED` with the seconds until `untilMs`, at least 1. */
export function rateLimited(rt: AuthRuntime, untilMs: number): AuthError {
  return new AuthError('RATE_LIMITED', {
    retryAfterSeconds: Math.max(1, Math.ceil((untilMs - rt.now()) / 1000)),
  });
}

/**
 * Counts one hit of `rule` for `subject` (every hit counts, refused ones too). Resolves to the
 * outcome without throwing; a rule set to `false` is always allowed and touches no store.
 */
export async function hitRule(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
  id?: string,
): Promise<RuleHit> {
  const config = rt.config.rateLimits[rule];
  const now = rt.now();
  if (config === false) return { count: 0, allowed: true, resetAt: now };
  const hit = await rt.storage.rateLimits.hit(ruleKey(rule, subject), {
    limit: config.limit,
    windowMs: config.windowSeconds * 1000,
    now,
    ...(id === undefined ? {} : { id }),
  });
  return id === undefined ? hit : { ...hit, id };
}

/**
 * Counts one hit and throws `RATE_LIMITED` (with `retryAfterSeconds` until the window ends)
 * when it goes over the rule's limit. A rule set to `false` never throws.
 * @throws AuthError `RATE_LIMITED`
 */
export async function enforceRule(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<void> {
  const hit = await hitRule(rt, rule, subject);
  if (!hit.allowed) throw rateLimited(rt, hit.resetAt);
}

/**
 * When `rule` has a `lockSeconds` and `subject` is locked at now, the end of the lock (epoch
 * ms); otherwise `undefined`. Reads only.
 */
export async function lockedUntil(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<number | undefined> {
  const config = rt.config.rateLimits[rule];
  if (config === false || config.lockSeconds === undefined) return undefined;
  return rt.storage.rateLimits.lockedUntil(ruleKey(rule, subject), rt.now());
}

/**
 * Throws `RATE_LIMITED` (Retry-After until the lock lifts) while `subject` is locked by `rule`.
 * @throws AuthError `RATE_LIMITED`
 */
export async function assertNotLocked(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<void> {
  const until = await lockedUntil(rt, rule, subject);
  if (until !== undefined) throw rateLimited(rt, until);
}

/**
 * Reserves one attempt of a lockout rule (`loginPerAccount`, `secondFactorPerAccount`) BEFORE
 * the secret is checked: refuses while `subject` is locked, then counts the attempt atomically
 * and refuses it when the count goes over the limit. Of N concurrent attempts at most `limit`
 * get through to a check, whatever their timing (a check-then-count order lets them all in).
 * Pass the result to {@link reservedAttemptFailed} when the check fails; a success proves the
 * owner and calls {@link resetRule}. A rule set to `false` reserves nothing and never refuses.
 * @throws AuthError `RATE_LIMITED`, with `retryAfterSeconds` until the lock lifts or the window
 * ends (whichever is later)
 */
export async function reserveAttempt(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<RuleHit> {
  await assertNotLocked(rt, rule, subject);
  // Named, so that it can be given back exactly once, even when the store wrote it and its
  // reply was lost (issue 16): the caller answers 503 for that, and a 503 is not an attempt.
  const id = randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random });
  let hit: RuleHit;
  try {
    hit = await hitRule(rt, rule, subject, id);
  } catch (error) {
    if (!isAuthError(error) || error.status >= 500) {
      await releaseReservation(rt, rule, subject, { id });
    }
    throw error;
  }
  if (hit.allowed) return hit;
  const until = await lockedUntil(rt, rule, subject);
  throw rateLimited(rt, Math.max(until ?? 0, hit.resetAt));
}

/**
 * Gives back an attempt reserved with {@link reserveAttempt} whose check never happened (the
 * request failed on the server's side before it, or its hit's reply was lost), or that proved
 * the owner without signing in. Exact and idempotent: the store takes back this hit only, once,
 * while its window lives. Off the request path and retried while the store is down (see
 * `compensate`), so it never fails or delays the caller's answer.
 */
export async function releaseReservation(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
  reservation: Pick<RuleHit, 'id'>,
): Promise<void> {
  const { id } = reservation;
  if (id === undefined || rt.config.rateLimits[rule] === false) return;
  const key = ruleKey(rule, subject);
  await compensate(rt.config.logger, `give back a ${rule} attempt`, () =>
    rt.storage.rateLimits.release(key, id, rt.now()),
  );
}

/**
 * The check of an attempt reserved with {@link reserveAttempt} failed. The failure of the
 * attempt whose reservation brought the count exactly to the limit locks `subject` for
 * `lockSeconds` (or until the window ends, when that is later, so that the next window starts
 * after the lock): one failure per window, however many run concurrently. Resolves to the
 * lock's end when this failure locked it, else `undefined`. A rule without `lockSeconds` only
 * counts (attempts over the limit are refused by the reservation until the window ends).
 */
export async function reservedAttemptFailed(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
  reservation: RuleHit,
): Promise<number | undefined> {
  const config = rt.config.rateLimits[rule];
  if (config === false || config.lockSeconds === undefined) return undefined;
  if (reservation.count !== config.limit) return undefined;
  // The counter is not reset here: `reset` would also forget the lock, and a fresh window
  // would let attempts already reserved reach the limit again and lock (and mail) twice.
  const untilMs = Math.max(rt.now() + config.lockSeconds * 1000, reservation.resetAt);
  await rt.storage.rateLimits.lock(ruleKey(rule, subject), { untilMs });
  return untilMs;
}

/**
 * Counts one failure of a lockout rule after the fact; the failure that brings the window's
 * count exactly to the limit locks `subject` (see {@link reservedAttemptFailed}) and resolves
 * to the lock's end, else `undefined`. Only for failures that are not a check of a secret:
 * a check must be reserved first ({@link reserveAttempt}), or concurrent checks all get in.
 */
export async function recordFailure(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<number | undefined> {
  if (rt.config.rateLimits[rule] === false) return undefined;
  return reservedAttemptFailed(rt, rule, subject, await hitRule(rt, rule, subject));
}

/**
 * Forgets `subject`'s counter and lock under `rule` (after a success that proves the owner:
 * a correct password, a completed password reset). Does nothing for a rule set to `false`.
 */
export async function resetRule(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<void> {
  if (rt.config.rateLimits[rule] === false) return;
  await rt.storage.rateLimits.reset(ruleKey(rule, subject));
}
