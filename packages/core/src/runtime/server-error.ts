import { isAuthError } from '../errors/auth-error.js';
import { createEventBudget, type EventBudget } from '../events/budget.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from './context.js';

/** Server-side failures logged per minute and per kind (code and store operation), per Auth. */
export const SERVER_ERRORS_PER_MINUTE = 20;

// An operation id (`login`): the only route text that goes into logs and events.
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const budgets = new WeakMap<AuthRuntime, EventBudget>();

/** Where a server-side failure happened, for `auth.reportServerError`. */
export interface ServerErrorContext extends RequestContext {
  /** The operation id of the route (`refreshToken`), or the adapter's name for it. */
  readonly route?: string | undefined;
}

/**
 * Reports one request's server-side failure (any 5xx: a store outage is
 * `STORAGE_UNAVAILABLE`): one `error` log line with the code, the store operation that failed
 * (`sessions.rotateRefresh`), the route and the cause with its stack; and, for a store outage,
 * a `storage.unavailable` event (`data.operation`, `data.route`) that operators can count.
 * Kept to {@link SERVER_ERRORS_PER_MINUTE} a minute per code and operation, so an outage
 * cannot flood the log or the listeners: the overflow is counted and the next line that passes
 * says how many were dropped (`suppressed`). Never throws.
 */
export async function reportServerError(
  rt: AuthRuntime,
  error: unknown,
  context: ServerErrorContext = {},
): Promise<void> {
  try {
    const authError = isAuthError(error) ? error : undefined;
    const code = authError?.code ?? 'INTERNAL';
    const operation = authError?.operation;
    const route =
      context.route !== undefined && NAME.test(context.route) ? context.route : undefined;
    let budget = budgets.get(rt);
    if (budget === undefined) {
      budget = createEventBudget({ perMinute: SERVER_ERRORS_PER_MINUTE });
      budgets.set(rt, budget);
    }
    const decision = budget.take(`${code}:${operation ?? ''}`, rt.now());
    if (!decision.admitted) return;
    const cause = authError === undefined ? error : authError.cause;
    rt.config.logger.error('request failed', {
      code,
      operation,
      route,
      ...(decision.suppressed > 0 ? { suppressed: decision.suppressed } : {}),
      cause: cause instanceof Error ? (cause.stack ?? String(cause)) : String(cause),
    });
    if (code === 'STORAGE_UNAVAILABLE') {
      const { route: _route, ...requestContext } = context;
      await rt.emit(
        {
          type: 'storage.unavailable',
          data: {
            ...(operation === undefined ? {} : { operation }),
            ...(route === undefined ? {} : { route }),
            ...(decision.suppressed > 0 ? { suppressed: decision.suppressed } : {}),
          },
        },
        requestContext,
      );
    }
  } catch {
    // A logger or listener that throws: nothing more to do for a request that already failed.
  }
}
