import type { RateLimitRuleName } from '../config/types.js';
import { AuthError } from '../errors/auth-error.js';
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
): Promise<RuleHit> {
  const config = rt.config.rateLimits[rule];
  const now = rt.now();
  if (config === false) return { count: 0, allowed: true, resetAt: now };
  return rt.storage.rateLimits.hit(ruleKey(rule, subject), {
    limit: config.limit,
    windowMs: config.windowSeconds * 1000,
    now,
  });
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
 * Counts one failure of a lockout rule (`loginPerAccount`, `secondFactorPerAccount`). The
 * failure that brings the window's count exactly to the limit locks `subject` for
 * `lockSeconds` (or until the window ends, when that is later, so that the next window starts
 * after the lock). Resolves to the lock's end when this failure locked it, else `undefined`:
 * the store's atomic count makes that one failure per window, however many run concurrently.
 * A rule without `lockSeconds` only counts.
 */
export async function recordFailure(
  rt: AuthRuntime,
  rule: RateLimitRuleName,
  subject: string,
): Promise<number | undefined> {
  const config = rt.config.rateLimits[rule];
  if (config === false) return undefined;
  const hit = await hitRule(rt, rule, subject);
  if (config.lockSeconds === undefined || hit.count !== config.limit) return undefined;
  // The counter is not reset here: `reset` would also forget the lock, and a fresh window
  // would let failures already in flight reach the limit again and lock (and mail) twice.
  // Failures in flight keep counting past the limit in this window, which ends before the lock.
  const untilMs = Math.max(rt.now() + config.lockSeconds * 1000, hit.resetAt);
  await rt.storage.rateLimits.lock(ruleKey(rule, subject), { untilMs });
  return untilMs;
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
