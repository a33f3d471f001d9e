import type { Logger } from '../logging/logger.js';
import type { AuditStore } from '../storage/types/audit.js';
import type { JsonObject } from '../storage/types/json.js';
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
 * are logged without failing the flow that emitted them.
 */
export function createEmitter(options: {
  audit: AuditStore;
  listeners: readonly AuthEventListener[];
  logger: Logger;
  now: () => number;
}): EmitEvent {
  const { audit, listeners, logger, now } = options;
  return async (input, context = {}) => {
    const event: AuthEvent = {
      type: input.type,
      at: now(),
      ...(input.userId === undefined ? {} : { userId: input.userId }),
      ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
      ...(context.ip === undefined ? {} : { ip: context.ip }),
      ...(context.userAgent === undefined
        ? {}
        : { userAgent: context.userAgent.slice(0, MAX_USER_AGENT) }),
      ...(input.data === undefined ? {} : { data: input.data }),
    };
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
        logger.error('audit append failed', {
          type: event.type,
          userId: event.userId,
          error: String(error),
        });
      }
    }
    for (const listener of listeners) {
      try {
        await listener(event);
      } catch (error) {
        logger.error('event listener failed', { type: event.type, error: String(error) });
      }
    }
    logger.debug(`event ${event.type}`, { userId: event.userId, sessionId: event.sessionId });
  };
}
