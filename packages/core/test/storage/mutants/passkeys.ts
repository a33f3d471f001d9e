import type { MemoryStorage } from '../../../src/storage/memory/index.js';
import type { PasskeyUse } from '../../../src/storage/types.js';
import { type Mutant, mutant, tick } from './mutant.js';

/** Rewrites passkey `id` with `counter` as given, through delete and create (no `max`). */
async function overwrite(m: MemoryStorage, id: string, counter: number, use: PasskeyUse) {
  const current = await m.passkeys.get(id);
  if (current === undefined) return 'not_found';
  await m.passkeys.delete(id, { userId: current.userId, keepOne: false });
  await m.passkeys.create({ ...current, counter, backedUp: use.backedUp, lastUsedAt: use.now });
  return 'updated';
}

/** Mutants of `passkeys`. */
export const PASSKEY_MUTANTS: readonly Mutant[] = [
  mutant(
    'passkeys: create checks, then writes (concurrent registrations of one credential all succeed)',
    ['concurrent creates of one credential, exactly one is created'],
    (m) => ({
      passkeys: {
        ...m.passkeys,
        async create(passkey) {
          const taken =
            (await m.passkeys.get(passkey.id)) !== undefined ||
            (await m.passkeys.getByCredentialId(passkey.credentialId)) !== undefined;
          await tick();
          if (taken) return 'conflict';
          // The write of a store without a unique index: it never refuses, so the racers
          // that checked before the first write all answer created.
          await m.passkeys.create(passkey);
          return 'created';
        },
      },
    }),
  ),
  mutant(
    'passkeys: recordUse writes the counter it is given, lowering it (a cloned authenticator hides)',
    ['recordUse never lowers the counter'],
    (m) => ({
      passkeys: {
        ...m.passkeys,
        recordUse: async (id, use) => overwrite(m, id, use.counter, use),
      },
    }),
  ),
  mutant(
    'passkeys: recordUse reads the counter, then writes the higher one (racers lose the highest)',
    ['concurrent uses of one passkey leave the highest counter'],
    (m) => ({
      passkeys: {
        ...m.passkeys,
        async recordUse(id, use) {
          const current = await m.passkeys.get(id);
          await tick();
          if (current === undefined) return 'not_found';
          return overwrite(m, id, Math.max(current.counter, use.counter), use);
        },
      },
    }),
  ),
];
