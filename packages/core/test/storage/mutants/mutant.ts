import { type MemoryStorage, memoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/types.js';

/** A deliberately broken storage, and the kit checks that must catch it. */
export interface Mutant {
  /** The bug, in a few words. */
  readonly name: string;
  /** A fresh storage with the bug: memoryStorage with one method (or a few) replaced. */
  readonly make: () => Storage;
  /** Unique parts of the names of the kit checks that must fail on it. */
  readonly caughtBy: readonly string[];
}

/** A mutant of `memoryStorage()`: `patch` replaces some of its stores. */
export function mutant(
  name: string,
  caughtBy: readonly string[],
  patch: (m: MemoryStorage) => Partial<Storage>,
): Mutant {
  return {
    name,
    caughtBy,
    make: () => {
      const m = memoryStorage();
      return { ...m, ...patch(m) };
    },
  };
}

/** One turn of the event loop: the round trip a remote store would take. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `record` with each of `keys` it lacks set to `value`: `null`, or a key holding `undefined`. */
export function fill<T extends object>(
  record: T | undefined,
  keys: readonly string[],
  value: null | undefined,
): T | undefined {
  if (record === undefined) return undefined;
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const key of keys) if (!(key in out)) out[key] = value;
  return out as T;
}

/**
 * `fn` handing out one object per stored version: while what it reads for the same key has not
 * changed, the caller gets the object it got last time (as a store that returns its own
 * records), so a caller's mutation shows in the next answer.
 */
export function shared<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  keyOf: (...args: A) => string,
): (...args: A) => Promise<R> {
  const handed = new Map<string, { json: string | undefined; value: R }>();
  return async (...args) => {
    const value = await fn(...args);
    const [key, json] = [keyOf(...args), JSON.stringify(value)];
    const prior = handed.get(key);
    if (prior !== undefined && prior.json === json) return prior.value;
    handed.set(key, { json, value });
    return value;
  };
}
