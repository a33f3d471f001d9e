import type { Logger } from '../logging/logger.js';

/** Undo steps still waiting for their store to come back, of every Auth in this process. */
const pending = new Set<Promise<void>>();

/** Delays between the attempts of an undo step whose store is down: about 30 s in all. */
export const COMPENSATION_DELAYS_MS: readonly number[] = Object.freeze([
  50, 100, 200, 400, 800, 1600, 3200, 6400, 8000, 8000,
]);

/** Undo steps waiting at most, per process: beyond it, a new one is logged and dropped. */
export const MAX_PENDING_COMPENSATIONS = 10_000;

/**
 * Runs an undo step (deleting a session nobody was given, putting back a challenge or a link,
 * clearing failures counted for a right password) or a background job again, for a flow that
 * failed on the server's side (issue 16). Off the request path from the first attempt: the
 * caller's answer (the error that made the undo necessary) never waits for a store that hangs.
 * Usually the store that failed the flow is down, so the step is tried again after
 * {@link COMPENSATION_DELAYS_MS} (each ±25 %, so that the steps of an outage do not all hit the
 * store the moment it returns), until it succeeds or the delays run out (about 30 s; then it is
 * logged at `warn` and left: sessions and tokens expire by themselves, counters with their
 * window). Steps must be safe to run twice. In one process: a restart forgets pending steps;
 * at most {@link MAX_PENDING_COMPENSATIONS} wait at once.
 */
export function compensate(
  logger: Logger,
  name: string,
  step: () => Promise<unknown>,
): Promise<void> {
  if (pending.size >= MAX_PENDING_COMPENSATIONS) {
    warn(logger, 'undo step dropped: too many waiting', name);
    return Promise.resolve();
  }
  const run = (async () => {
    for (const delay of [0, ...COMPENSATION_DELAYS_MS]) {
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay * (0.75 + Math.random() * 0.5));
          (timer as { unref?: () => void }).unref?.();
        });
      }
      try {
        await step();
        return;
      } catch {
        // Still down, most likely: the next delay.
      }
    }
    warn(logger, 'retried step given up', name);
  })();
  pending.add(run);
  void run.finally(() => pending.delete(run));
  return Promise.resolve();
}

function warn(logger: Logger, message: string, step: string): void {
  try {
    logger.warn(message, { step });
  } catch {
    // A logger that throws must not become an unhandled rejection.
  }
}

/**
 * Resolves when no undo step is waiting for a retry. For tests (from
 * `@portcullis/core/testing`): lift the fault, then this, then check the state.
 */
export async function settleCompensations(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
