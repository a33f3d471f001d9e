import type { RandomSource } from '../crypto/random.js';
import { randomToken } from '../crypto/tokens.js';
import type { PasswordHasher } from './hasher.js';

/**
 * Makes a function that spends one real password verification for nothing. Sign-in calls it
 * when the identifier is unknown, so an unknown account and a wrong password take the same
 * time (no account enumeration by timing). The dummy hash is made once, on first use, at the
 * hasher's current parameters.
 */
export function createDummyVerifier(
  hasher: PasswordHasher,
  options: { random?: RandomSource } = {},
): (password: string) => Promise<void> {
  let dummy: Promise<string> | undefined;
  return async (password: string) => {
    dummy ??= hasher.hash(
      randomToken(options.random === undefined ? {} : { random: options.random }),
    );
    await hasher.verify(password, await dummy).catch(() => false);
  };
}
