import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Storage, StoreName } from '../../storage/types.js';
import { type ConformanceCheck, conformanceChecks } from './checks.js';

export type { StoreName } from '../../storage/types.js';
export type { ConformanceCheck, ConformanceChecksOptions, ConformanceOutcome } from './checks.js';
export { conformanceChecks } from './checks.js';

/** Options of {@link describeStorageConformance}. */
export interface StorageConformanceOptions {
  /**
   * The stores to check; default all eight. A Redis adapter that implements only the ephemeral
   * stores passes `['sessions', 'tokens', 'rateLimits']` (the others may then be anything).
   * With `users` among them, the kit creates the user that owns each record it writes; without
   * it, records name user ids that no store holds.
   */
  readonly stores?: readonly StoreName[];
  /** Called once after the last check with the storage under test: close pools, drop schemas. */
  readonly cleanup?: (storage: Storage) => Promise<void> | void;
}

/**
 * Registers vitest `describe`/`it` blocks that check a {@link Storage} against the contract of
 * the architecture's storage table: results, expiry boundaries (`now === expiresAt` is dead),
 * copies, absent optional fields, and atomicity under concurrency (20 parallel consumes of one
 * token: one `ok`). Call it at the top level of a test file of your own suite; vitest must be
 * installed. The same checks are available as plain functions from {@link conformanceChecks}.
 *
 * `makeStorage` runs once, before the first check; every check uses fresh random ids and
 * explicit `now` values near the real time, so a real, shared database works and nothing
 * sleeps. When `users` is among the checked stores, each record owned by a user (linked
 * account, session, token, recovery code, trusted device, audit event) is written after its
 * user was created with `users.create`, so foreign keys to `users` are welcome. Records the checks create are
 * left in place (they are dead or unique); drop them in `cleanup` if you like.
 *
 * @example
 * ```ts
 * // test/storage.test.ts
 * import { describeStorageConformance } from '@portcullis/core/testing';
 * describeStorageConformance('my adapter', () => myStorage(pool), {
 *   cleanup: () => pool.end(),
 * });
 * ```
 */
export function describeStorageConformance(
  name: string,
  makeStorage: () => Storage | Promise<Storage>,
  options: StorageConformanceOptions = {},
): void {
  const byGroup = new Map<string, ConformanceCheck[]>();
  for (const check of conformanceChecks(options)) {
    byGroup.set(check.group, [...(byGroup.get(check.group) ?? []), check]);
  }
  let storage: Storage | undefined;

  describe(`storage conformance: ${name}`, () => {
    beforeAll(async () => {
      storage = await makeStorage();
    });
    afterAll(async () => {
      if (storage !== undefined) await options.cleanup?.(storage);
    });

    for (const [group, checks] of byGroup) {
      describe(group, () => {
        for (const check of checks) {
          it(check.name, async ({ skip }) => {
            if (storage === undefined) throw new Error('describeStorageConformance: no storage');
            const outcome = await check.run(storage);
            if (outcome.status === 'skipped') skip(outcome.reason);
          });
        }
      });
    }
  });
}
