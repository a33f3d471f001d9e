import type { RandomSource } from '../crypto/random.js';
import { createDummyVerifier } from './dummy.js';
import type { PasswordHasher } from './hasher.js';
import type { HashFormat } from './legacy/format.js';
import { parseLegacyHash } from './legacy/index.js';
import {
  coversLegacyWork,
  type LegacyHashCosts,
  noLegacyWork,
  padLegacyWork,
  recordingKdf,
} from './legacy-costs.js';
import type { LegacyQueue, LegacyTurn } from './legacy-queue.js';
import { normalizePassword } from './policy.js';
import type { PasswordVerification } from './verify.js';

/** Options of {@link createPasswordVerifier}. */
export interface PasswordVerifierOptions {
  hasher: PasswordHasher;
  /** The legacy costs to spend on every check; unset: argon2id work only. */
  legacyHashes?: LegacyHashCosts | undefined;
  /** Bounds legacy work; unset: unbounded. */
  queue?: LegacyQueue | undefined;
  /** Salt source of the dummy argon2id hash. */
  random?: RandomSource | undefined;
  /**
   * Called once, at the first legacy verification whose time `legacyHashes` does not hide
   * (unset, or a hash of a kind or cost it does not describe).
   */
  onUncoveredLegacy?: ((format: HashFormat) => void) | undefined;
}

/** Checks passwords and spends the dummy work of unknown accounts, with equal work. */
export interface PasswordVerifier {
  /** `verifyPassword` with the queue and equal work; a malformed or unusable hash costs a dummy check. */
  verify(password: string, stored: string): Promise<PasswordVerification>;
  /** The work of a wrong password, for an unknown account. */
  dummy(password: string): Promise<void>;
}

const INVALID: PasswordVerification = Object.freeze({ valid: false, needsRehash: false });
const unbounded: LegacyTurn = (task) => task();

/**
 * Makes the verifier that sign-in uses (issue 15). Legacy verifications go through `queue`,
 * never ahead of or among argon2id work. With `legacyHashes`, every check spends the same:
 *
 * - argon2id account: its argon2id run(s), and the configured legacy work as dummies;
 * - legacy account: its real legacy run, padded up to the configured costs, and the dummy
 *   argon2id run(s);
 * - unknown account: the dummy argon2id run(s) and the configured legacy work as dummies.
 *
 * The argon2id and the legacy part run side by side, so the answer takes the longer of the two
 * and no account waits longer for being imported. The legacy part of every check then takes a
 * place in `queue` (admitted before any work starts): a full queue refuses every account alike.
 */
export function createPasswordVerifier(options: PasswordVerifierOptions): PasswordVerifier {
  const { hasher, legacyHashes: costs, queue } = options;
  const dummyArgon2 = createDummyVerifier(
    hasher,
    options.random === undefined ? {} : { random: options.random },
  );
  const admit = () => (queue === undefined ? unbounded : queue.admit());
  let warned = false;

  async function argon2(password: string, stored: string): Promise<boolean> {
    const normalized = normalizePassword(password);
    // Hashes made elsewhere may be of the raw, unnormalized password.
    return (
      (await hasher.verify(normalized, stored).catch(() => false)) ||
      (normalized !== password && (await hasher.verify(password, stored).catch(() => false)))
    );
  }

  async function dummy(password: string): Promise<void> {
    if (costs === undefined) return dummyArgon2(password);
    const turn = admit();
    await Promise.all([
      dummyArgon2(password),
      turn(() => padLegacyWork(password, costs, hasher.kdf)),
    ]);
  }

  return {
    dummy,
    async verify(password, stored) {
      const parsed = parseLegacyHash(stored);
      if (parsed === undefined || parsed.format === 'unusable') {
        await dummy(password);
        return INVALID;
      }
      if (parsed.format === 'argon2id' || parsed.format === 'argon2i') {
        if (costs === undefined) {
          const valid = await argon2(password, stored);
          return { valid, needsRehash: valid && hasher.needsRehash(stored) };
        }
        const turn = admit();
        const [valid] = await Promise.all([
          argon2(password, stored),
          turn(() => padLegacyWork(password, costs, hasher.kdf)),
        ]);
        return { valid, needsRehash: valid && hasher.needsRehash(stored) };
      }
      const turn = admit();
      const legacy = turn(async () => {
        const spent = noLegacyWork();
        // Legacy systems (Django, bcrypt libraries) hashed the raw password bytes.
        const valid = await parsed.verify(password, recordingKdf(hasher.kdf, spent));
        if (costs !== undefined) await padLegacyWork(password, costs, hasher.kdf, spent);
        if (!warned && !coversLegacyWork(costs, spent)) {
          warned = true;
          options.onUncoveredLegacy?.(parsed.format);
        }
        return valid;
      });
      const [valid] = await Promise.all([
        legacy,
        costs === undefined ? undefined : dummyArgon2(password),
      ]);
      return { valid, needsRehash: valid };
    },
  };
}
