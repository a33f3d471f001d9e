import type { Logger } from '../logging/logger.js';

/** Undo steps still waiting for their store to come back, of every Auth in this process. */
const pending = new Set<Promise<void>>();

/** Delays between the attempts of an undo step whose store is down: about 30 s in all. */
export const COMPENSATION_DELAYS_MS: readonly number[] = Object.freeze([
  50, 100, 200, 400, 800, 1600, 3200, 6400, 8000, 8000,
]);

/**
 * Runs an undo step (deleting a session nobody was given, putting back a used-up challenge or
 * link, giving back a counted attempt) for a flow that failed on the server's side (issue 16).
 * Usually the store that failed the flow is down, so the undo fails too: it is tried again
 * after {@link COMPENSATION_DELAYS_MS}, off the request path, until it succeeds or the delays
 * run out (about 30 s; then it is logged at `warn` and left: sessions and tokens expire by
 * themselves, counters with their window). In one process: a restart forgets pending steps.
 *
 * Resolves once the first attempt is over, never rejects: the caller's answer (the error that
 * made the undo necessary) does not wait for the store to return.
 */
export async function compensate(
  logger: Logger,
  name: string,
  step: () => Promise<void>,
): Promise<void> {
  try {
    await step();
    return;
  } catch {
    // Down, most likely: retried below.
  }
  const retried = (async () => {
    for (const delay of COMPENSATION_DELAYS_MS) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        (timer as { unref?: () => void }).unref?.();
      });
      try {
        await step();
        return;
      } catch {
        // Still down.
      }
    }
    try {
      logger.warn('undo step given up', { step: name });
    } catch {
      // A logger that throws must not become an unhandled rejection.
    }
  })();
  pending.add(retried);
  void retried.finally(() => pending.delete(retried));
}

/**
 * Resolves when no undo step is waiting for a retry. For tests (from
 * `@portcullis/core/testing`): lift the fault, then this, then check the state.
 */
export async function settleCompensations(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
