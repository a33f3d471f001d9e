import type { RandomSource } from '../crypto/random.js';
import { randomToken } from '../crypto/tokens.js';
import type { PasswordHasher } from './hasher.js';
import { normalizePassword } from './policy.js';

/**
 * Makes a function that spends one real password verification for nothing. Sign-in calls it
 * when the identifier is unknown, so an unknown account and a wrong password take the same
 * time (no account enumeration by timing): as many argon2id runs as `verifyPassword` spends on
 * a wrong password for an argon2 hash (two when NFKC changes the password). The dummy hash is
 * made once, on first use, at the hasher's current parameters.
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
    const hash = await dummy;
    // The same runs as a wrong password for a known argon2 hash (`verifyPassword`): the NFKC
    // form, and the raw input too when the two differ. Otherwise a password with `ﬁ` or a
    // full-width letter would cost two runs for a known account and one for an unknown.
    const normalized = normalizePassword(password);
    await hasher.verify(normalized, hash).catch(() => false);
    if (normalized !== password) await hasher.verify(password, hash).catch(() => false);
  };
}
