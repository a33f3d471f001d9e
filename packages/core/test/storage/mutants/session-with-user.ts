import { memoryStorage } from '../../../src/storage/memory/index.js';
import { type CacheFlaws, withLookupCache } from './lookup-cache.js';
import type { Mutant } from './mutant.js';

const ACROSS = 'a user’s new credentialGeneration leaves its sessions’ and devices’ generations';

/** A mutant with a flawed cache in front of memoryStorage's `sessionWithUser`. */
const cached = (name: string, caughtBy: readonly string[], flaws: CacheFlaws): Mutant => ({
  name,
  caughtBy,
  make: () => withLookupCache(memoryStorage(), flaws),
});

/** Mutants of `sessionWithUser`: a cache in front of it with one flaw each. */
export const SESSION_WITH_USER_MUTANTS: readonly Mutant[] = [
  cached(
    'sessionWithUser: a cached copy checked against its idle expiry only',
    ['finds nothing from the absolute expiry on'],
    { idleOnly: true },
  ),
  cached(
    'sessionWithUser: hands out the cached objects',
    ['returns copies: mutating a found session or user'],
    { shared: true },
  ),
  cached('sessionWithUser: rotateRefresh does not drop the copy', ['sees a rotateRefresh'], {
    keepOn: ['sessions.rotateRefresh'],
  }),
  cached(
    'sessionWithUser: a fill that raced users.update is stored',
    ['never keeps a user read that raced a users.update'],
    { unguardedFill: true },
  ),
  cached('sessionWithUser: users.update does not drop the copy (a stale user)', [ACROSS], {
    keepOn: ['users.update'],
  }),
];
