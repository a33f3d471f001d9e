/** A source of the current time in epoch milliseconds. Inject one to test expiry without sleeping. */
export interface Clock {
  /** The current time, epoch milliseconds. */
  now(): number;
}

/** The real clock: `Date.now()`. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
