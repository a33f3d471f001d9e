import type { LogFields, Logger } from '../logging/logger.js';
import type { AuditStore } from '../storage/types/audit.js';
import type { JsonObject } from '../storage/types/json.js';
import { BUDGETED_EVENT_TYPES, createEventBudget, EVENTS_PER_MINUTE } from './budget.js';
import type { AuthEvent, AuthEventListener, AuthEventType, RequestContext } from './types.js';

/** What a flow reports; the emitter adds the time and the request context. */
export interface EventInput {
  readonly type: AuthEventType;
  readonly userId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly data?: JsonObject | undefined;
  /**
   * `false` sends the event to listeners only. For `user.deleted`: the audit trail is deleted
   * with the account, and a row written afterwards would be an orphan (or a foreign-key error).
   */
  readonly audit?: false;
}

/** Sends events to the listeners and, when they concern a user, to the audit store. */
export type EmitEvent = (input: EventInput, context?: RequestContext) => Promise<void>;

const MAX_USER_AGENT = 512;

/**
 * Makes the emitter of one Auth instance. Audit writes are awaited (an audit trail that
 * silently loses events is worse than a slow one) but their failures, like listeners' errors,
 * are logged without failing the flow that emitted them. Events a client can cause at will
 * ({@link BUDGETED_EVENT_TYPES}) are also logged at `warn` (OWASP ASVS 16.3), and kept to
 * {@link EVENTS_PER_MINUTE} per type: the overflow is dropped, counted, and reported as
 * `data.suppressed` on the next event of its type that passes, with one summary line.
 */
export function createEmitter(options: {
  audit: AuditStore;
  listeners: readonly AuthEventListener[];
  logger: Logger;
  now: () => number;
}): EmitEvent {
  const { audit, listeners, logger, now } = options;
  const budget = createEventBudget({ perMinute: EVENTS_PER_MINUTE });
  // Failing audit writes and listeners are logged, but an outage of the audit store must not
  // write a line for every event of every request: 20 a minute per kind, the rest counted.
  const failureLog = createEventBudget({ perMinute: 20 });
  const logFailure = (kind: string, fields: LogFields) => {
    const decision = failureLog.take(kind, now());
    if (!decision.admitted) return;
    logger.error(kind, {
      ...fields,
      ...(decision.suppressed > 0 ? { suppressed: decision.suppressed } : {}),
    });
  };
  return async (input, context = {}) => {
    const at = now();
    const budgeted = BUDGETED_EVENT_TYPES.has(input.type);
    let data = input.data;
    if (budgeted) {
      const decision = budget.take(input.type, at);
      if (!decision.admitted) return;
      if (decision.suppressed > 0) {
        logger.warn('security events suppressed', {
          type: input.type,
          suppressed: decision.suppressed,
        });
        data = { ...data, suppressed: decision.suppressed };
      }
    }
    const event: AuthEvent = {
      type: input.type,
      at,
      ...(input.userId === undefined ? {} : { userId: input.userId }),
      ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
      ...(context.ip === undefined ? {} : { ip: context.ip }),
      ...(context.userAgent === undefined
        ? {}
        : { userAgent: context.userAgent.slice(0, MAX_USER_AGENT) }),
      ...(data === undefined ? {} : { data }),
    };
    if (budgeted) logger.warn(`security event ${event.type}`, securityLogFields(event));
    if (event.userId !== undefined && input.audit !== false) {
      try {
        await audit.append({
          userId: event.userId,
          type: event.type,
          createdAt: event.at,
          ...(event.ip === undefined ? {} : { ip: event.ip }),
          ...(event.userAgent === undefined ? {} : { userAgent: event.userAgent }),
          ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }),
          ...(event.data === undefined ? {} : { data: event.data }),
        });
      } catch (error) {
        logFailure('audit append failed', {
          type: event.type,
          userId: event.userId,
          ...errorFields(error),
        });
      }
    }
    for (const listener of listeners) {
      try {
        await listener(event);
      } catch (error) {
        logFailure('event listener failed', { type: event.type, ...errorFields(error) });
      }
    }
    logger.debug(`event ${event.type}`, { userId: event.userId, sessionId: event.sessionId });
  };
}

/**
 * The log fields of a budgeted event: ids, the IP and the primitive facts of `data`. Not the
 * user agent (free text, and already in the event).
 */
function securityLogFields(event: AuthEvent): LogFields {
  const fields: Record<string, string | number | boolean | null | undefined> = {};
  for (const [key, value] of Object.entries(event.data ?? {})) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      fields[key] = value as string | number | boolean | null;
    }
  }
  return {
    ...fields,
    type: event.type,
    userId: event.userId,
    sessionId: event.sessionId,
    ip: event.ip,
  };
}

/** An error and, when it wraps one (a store's `STORAGE_UNAVAILABLE`), its cause. */
function errorFields(error: unknown): LogFields {
  const cause = error instanceof Error ? error.cause : undefined;
  return {
    error: String(error),
    ...(cause === undefined
      ? {}
      : { cause: cause instanceof Error ? (cause.stack ?? String(cause)) : String(cause) }),
  };
}
