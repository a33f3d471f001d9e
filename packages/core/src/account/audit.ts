import * as v from 'valibot';
import { parseInput, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { AuditEventRecord } from '../storage/types/audit.js';

/** Events per page when no `limit` is given. */
export const DEFAULT_AUDIT_LIMIT = 50;
/** The largest page: a bound on what one call reads from the store. */
export const MAX_AUDIT_LIMIT = 200;

const integer = (name: string, min: number, max: number) =>
  v.pipe(
    v.number(`${name} must be a number`),
    v.integer(`${name} must be an integer`),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );

const schema = v.object({
  userId: text('userId', 256),
  limit: v.optional(integer('limit', 1, MAX_AUDIT_LIMIT), DEFAULT_AUDIT_LIMIT),
  beforeSequence: v.optional(integer('beforeSequence', 0, Number.MAX_SAFE_INTEGER)),
});

/** Options of {@link listAudit}. */
export interface ListAuditOptions {
  /** Most events to return, 1 to 200. Default 50. */
  limit?: number | undefined;
  /**
   * Only events older than this sequence number (exclusive): pass the `sequence` of the last
   * event of the previous page to get the next one. Default: start from the newest.
   */
  beforeSequence?: number | undefined;
}

/**
 * A user's security events (sign-ins, password and email changes, revocations, …), newest
 * first. Records carry the type, time, ip, user agent, session id and non-secret details;
 * never a password, hash or token.
 *
 * @throws AuthError `VALIDATION_FAILED` when `limit` is not an integer from 1 to 200 or
 * `beforeSequence` not a non-negative integer.
 *
 * @example
 * ```ts
 * const page = await auth.audit.list(userId, { limit: 20 });
 * const last = page.at(-1);
 * if (last) await auth.audit.list(userId, { limit: 20, beforeSequence: last.sequence });
 * ```
 */
export async function listAudit(
  rt: AuthRuntime,
  userId: string,
  options: ListAuditOptions,
): Promise<AuditEventRecord[]> {
  const { limit, beforeSequence } = parseInput(schema, { ...options, userId });
  return rt.storage.audit.list(userId, {
    limit,
    ...(beforeSequence === undefined ? {} : { beforeSequence }),
  });
}
