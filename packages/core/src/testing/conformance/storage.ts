import { expect } from 'vitest';
import { storeMethods } from '../../storage/methods.js';
import { type AddCheck, newUser, startTime } from './fixtures.js';

/** Registers the check that the storage has every method of the stores under test. */
export function storageChecks(check: AddCheck): void {
  check('has the checked stores with every method of the contract', async (ctx) => {
    const s = ctx.storage();
    for (const store of ctx.stores) {
      for (const method of storeMethods(store)) {
        expect(typeof Reflect.get(s[store], method), `${store}.${method}`).toBe('function');
      }
    }
    expect(['undefined', 'function']).toContain(typeof s.transaction);
  });
}

/** Registers the check of `transaction` (when offered): commit on resolve, roll back on reject. */
export function transactionChecks(check: AddCheck): void {
  check(
    'commits a transaction that resolves and rolls back one that rejects (when offered)',
    async (ctx) => {
      const storage = ctx.storage();
      if (storage.transaction === undefined) {
        // Nothing to check: core then relies on the safe order of its multi-step flows.
        expect(storage.transaction).toBeUndefined();
        return;
      }
      const kept = newUser(startTime());
      const result = await storage.transaction(async (tx) => {
        expect(await tx.users.create(kept)).toBe('created');
        expect(await tx.users.getById(kept.id)).toEqual(kept);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await storage.users.getById(kept.id)).toEqual(kept);

      const dropped = newUser(startTime());
      const failure = new Error('conformance: roll back');
      const run = storage.transaction(async (tx) => {
        await tx.users.create(dropped);
        throw failure;
      });
      await expect(run).rejects.toBe(failure);
      expect(await storage.users.getById(dropped.id)).toBeUndefined();
    },
  );
}
