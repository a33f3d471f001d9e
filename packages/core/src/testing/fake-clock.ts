import type { Clock } from '../time/clock.js';

/** A {@link Clock} that moves only when told: test expiry, idle timeouts and lockouts without sleeping. */
export interface FakeClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds (backwards if negative); returns the new time. */
  advance(ms: number): number;
  /** Sets the clock to `ms` (epoch milliseconds). */
  set(ms: number): void;
}

/**
 * A clock that starts at `startMs` (epoch milliseconds) and stands still until `advance` or
 * `set` moves it.
 *
 * @throws {RangeError} when a time or step is not a finite number.
 *
 * @example
 * ```ts
 * const clock = fakeClock(Date.UTC(2025, 0, 1));
 * const auth = createAuth({ clock, ... });
 * clock.advance(15 * 60_000); // the access token has expired
 * ```
 */
export function fakeClock(startMs: number): FakeClock {
  let current = finite(startMs, 'startMs');
  return {
    now: () => current,
    advance(ms) {
      current += finite(ms, 'ms');
      return current;
    },
    set(ms) {
      current = finite(ms, 'ms');
    },
  };
}

function finite(value: number, name: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`fakeClock: ${name} must be a finite number`);
  return value;
}
