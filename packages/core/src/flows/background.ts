import type { Logger } from '../logging/logger.js';
import { compensate } from './compensate.js';

/** Jobs started and not yet settled, of every Auth instance in this process. */
const pending = new Set<Promise<void>>();
let inline = false;

/**
 * Runs `job` after the current answer has gone: for the work that only a known account gets
 * (token writes, deletes of older tokens, audit rows, mail), so that the answer for a known and
 * an unknown address comes after the same awaited work (issue 15: enumeration by timing).
 * Callers await the result and call it on every path, known or not, with a job that may do
 * nothing: the answer then waits for exactly the same thing.
 *
 * The job starts on a later turn of the event loop (`setTimeout(…, 0)`, which every runtime
 * has), outside the request's own chain of promises; its steps run in order. Nothing is thrown
 * or rejected: a failure is logged as `background work failed` with the job's `name` and the
 * error's text (jobs never put a token into an error), and the job is run again, off the
 * request path, until it succeeds or about 30 s have passed (`compensate`).
 *
 * @param logger - Where a failure goes (`rt.config.logger`).
 * @param name - What the job does, for the log (`password-reset`, `register`, …).
 * @returns A promise that resolves at once (after the job instead in tests that asked for
 * inline background work, {@link setBackgroundInline}).
 */
export function runInBackground(
  logger: Logger,
  name: string,
  job: () => Promise<void>,
): Promise<void> {
  const run = () =>
    // Through a promise, so a job that throws before its first await is caught as well.
    Promise.resolve()
      .then(job)
      .catch(async (error: unknown) => {
        try {
          logger.error('background work failed', { job: name, error: String(error) });
        } catch {
          // A logger that throws must not become an unhandled rejection either.
        }
        // Most likely a store was down: the job runs again once it is back (issue 16: a
        // reset link or verification mail is not lost to an outage). Jobs are written to be
        // run again: each issues a fresh token, which replaces an older one.
        await compensate(logger, name, job);
      });
  if (inline) return run();
  const detached = new Promise<void>((resolve) => {
    setTimeout(() => {
      void run().finally(() => {
        pending.delete(detached);
        resolve();
      });
    }, 0);
  });
  pending.add(detached);
  return Promise.resolve();
}

/**
 * Resolves when no background job is running or waiting, including jobs that running jobs
 * started. Never rejects (jobs log their failures). For tests (from `@portcullis/core/testing`):
 * a call that answers before its known-account work is done, then this, then assertions.
 */
export async function settleBackgroundWork(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/**
 * Test-only: with `true`, background jobs run inside the call that starts them, which then
 * resolves after the job, as before issue 15; `false` (the default) detaches them again.
 * Process-wide. For suites that read mail right after a call instead of waiting for it
 * (`memoryMailer.waitFor`, {@link settleBackgroundWork}).
 */
export function setBackgroundInline(on: boolean): void {
  inline = on;
}
