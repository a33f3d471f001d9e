import { utf8 } from '../crypto/encoding.js';
import type { KdfPrimitives } from './kdf.js';

/**
 * The costs of the legacy hashes a deployment still holds (`password.legacyHashes`). With it,
 * every password check spends this much legacy work on top of its argon2id run, whatever the
 * account holds, so that answer times do not tell imported accounts apart (issue 15).
 */
export interface LegacyHashCosts {
  /**
   * Django's `pbkdf2_sha256`/`pbkdf2_sha1`: the highest iteration count among the stored
   * hashes (Django 5.2 writes 1,000,000). A hash with fewer iterations is padded with a dummy
   * run of the difference. `digest` defaults to `'sha256'`.
   */
  pbkdf2?: { iterations: number; digest?: 'sha256' | 'sha1' };
  /** scrypt hashes (Django's `scrypt`, default N = 16384, r = 8, p = 5): their parameters. */
  scrypt?: { cost: number; blockSize: number; parallelism: number };
  /** bcrypt hashes (bare `$2b$…`, Django's `bcrypt` and `bcrypt_sha256`): their cost. */
  bcrypt?: { cost: number };
}

/** The legacy work one verification actually spent, recorded at the KDF. */
export interface SpentLegacyWork {
  /** PBKDF2 iterations, summed over runs. */
  pbkdf2Iterations: number;
  /** scrypt runs, as `N,r,p`. */
  scrypt: string[];
  /** bcrypt runs, by cost. */
  bcrypt: number[];
  /** argon2 verifications of a foreign hash (not padded). */
  argon2: number;
}

/** `kdf` that records in `spent` what runs through it. */
export function recordingKdf(kdf: KdfPrimitives, spent: SpentLegacyWork): KdfPrimitives {
  return {
    argon2Verify: (password, phc) => {
      spent.argon2++;
      return kdf.argon2Verify(password, phc);
    },
    bcryptVerify: (password, hash) => {
      spent.bcrypt.push(Number(hash.slice(4, 6)));
      return kdf.bcryptVerify(password, hash);
    },
    pbkdf2: (o) => {
      spent.pbkdf2Iterations += o.iterations;
      return kdf.pbkdf2(o);
    },
    scrypt: (o) => {
      spent.scrypt.push(`${o.costFactor},${o.blockSize},${o.parallelism}`);
      return kdf.scrypt(o);
    },
  };
}

/** Nothing spent yet. */
export function noLegacyWork(): SpentLegacyWork {
  return { pbkdf2Iterations: 0, scrypt: [], bcrypt: [], argon2: 0 };
}

/**
 * Whether `costs` hide `spent`: padding can bring it up to exactly `costs`. Not so when
 * `costs` is unset, when a verification spent work of a kind `costs` does not name, more
 * PBKDF2 iterations than configured, or scrypt or bcrypt at other parameters.
 */
export function coversLegacyWork(costs: LegacyHashCosts | undefined, spent: SpentLegacyWork) {
  if (costs === undefined || spent.argon2 > 0) return false;
  if (spent.pbkdf2Iterations > (costs.pbkdf2?.iterations ?? 0)) return false;
  const scrypt =
    costs.scrypt && `${costs.scrypt.cost},${costs.scrypt.blockSize},${costs.scrypt.parallelism}`;
  if (spent.scrypt.some((p) => p !== scrypt) || spent.scrypt.length > 1) return false;
  return !(spent.bcrypt.some((c) => c !== costs.bcrypt?.cost) || spent.bcrypt.length > 1);
}

// Dummy inputs: the work does not depend on the salt or on what the hash holds, only on the
// parameters, so fixed values do (and keep the runs reproducible in tests).
const DUMMY_SALT = utf8('portcullis-dummy-salt');
const DUMMY_BCRYPT_BODY = 'KqxN5HHoyqkeUk8WqIxVbeQlmjeIRrcuQ3s9mBz7QzH/QTs2yFDUa';

/**
 * Runs, one after the other, the dummy work that brings `spent` up to `costs`: PBKDF2 for the
 * iterations still missing, and one scrypt and one bcrypt run at the configured parameters
 * unless the real verification spent one. Uses the password so that its length costs the
 * same as in a real run.
 */
export async function padLegacyWork(
  password: string,
  costs: LegacyHashCosts,
  kdf: KdfPrimitives,
  spent: SpentLegacyWork = noLegacyWork(),
): Promise<void> {
  const missing = (costs.pbkdf2?.iterations ?? 0) - spent.pbkdf2Iterations;
  if (costs.pbkdf2 !== undefined && missing > 0) {
    const digest = costs.pbkdf2.digest ?? 'sha256';
    await kdf.pbkdf2({
      password,
      salt: DUMMY_SALT,
      iterations: missing,
      keyLength: digest === 'sha256' ? 32 : 20,
      digest,
    });
  }
  if (costs.scrypt !== undefined && spent.scrypt.length === 0) {
    await kdf.scrypt({
      password,
      salt: DUMMY_SALT,
      costFactor: costs.scrypt.cost,
      blockSize: costs.scrypt.blockSize,
      parallelism: costs.scrypt.parallelism,
      keyLength: 64,
    });
  }
  if (costs.bcrypt !== undefined && spent.bcrypt.length === 0) {
    const cost = String(costs.bcrypt.cost).padStart(2, '0');
    const key = utf8(password).subarray(0, 72);
    await kdf.bcryptVerify(
      key.length === 0 ? new Uint8Array([0]) : key,
      `$2b$${cost}$${DUMMY_BCRYPT_BODY}`,
    );
  }
}
