import { AuthError } from '../errors/auth-error.js';

/** Options of {@link LegacyQueue}. */
export interface LegacyQueueOptions {
  /** Legacy verifications that run at once. At least 1. */
  concurrency: number;
  /** Verifications that may wait for a turn; one more is refused. At least 0. */
  maxWaiting: number;
}

/** Runs one admitted task when its turn comes, then gives the place to the next. */
export type LegacyTurn = <T>(task: () => Promise<T>) => Promise<T>;

/** Waiting verifications by default: a few seconds of work at Django's costs, then refusal. */
export const DEFAULT_LEGACY_QUEUE_LENGTH = 16;

/**
 * Default number of legacy verifications at once: half the available parallelism, at least 1
 * (1 on two cores), so legacy work leaves the rest of the machine to argon2id.
 */
export async function defaultLegacyConcurrency(): Promise<number> {
  try {
    const os = await import('node:os');
    return Math.max(1, Math.floor(os.availableParallelism() / 2));
  } catch {
    return 1;
  }
}

/**
 * A bounded queue for legacy password verifications (PBKDF2, scrypt, bcrypt, foreign argon2),
 * apart from argon2id (issue 15): at most `concurrency` run at once and `maxWaiting` wait;
 * past that a verification is refused at once with `RATE_LIMITED` rather than queued behind
 * seconds of work. A few slow imported hashes thus never fill the hashing pool that every
 * sign-in shares, and a burst of them costs a bounded wait.
 */
export class LegacyQueue {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(options: LegacyQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError('LegacyQueue concurrency must be a positive integer');
    }
    if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0) {
      throw new RangeError('LegacyQueue maxWaiting must be a non-negative integer');
    }
    this.#concurrency = options.concurrency;
    this.#maxWaiting = options.maxWaiting;
  }

  /**
   * Takes a place, running or waiting, and returns the function that runs one task in it.
   * Call it synchronously before starting any other work of the same check, so that a refused
   * check costs nothing, and call the returned function exactly once.
   * @throws AuthError `RATE_LIMITED` (retry after 1 s) when `concurrency` run and `maxWaiting` wait.
   */
  admit(): LegacyTurn {
    let turn: Promise<void>;
    if (this.#running < this.#concurrency) {
      this.#running++;
      turn = Promise.resolve();
    } else if (this.#waiting.length < this.#maxWaiting) {
      turn = new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      throw new AuthError('RATE_LIMITED', {
        retryAfterSeconds: 1,
        cause: new Error('legacy password verification queue is full'),
      });
    }
    return async (task) => {
      await turn;
      try {
        return await task();
      } finally {
        this.#release();
      }
    };
  }

  #release(): void {
    // The place passes straight to the next waiter, so `running` never exceeds the bound.
    const next = this.#waiting.shift();
    if (next === undefined) this.#running--;
    else next();
  }
}
