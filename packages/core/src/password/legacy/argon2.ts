import type { KdfPrimitives } from '../kdf.js';
import type { ParsedLegacyHash } from './format.js';
import { decodeCanonicalBase64, parseBoundedInt } from './parse.js';

/**
 * Bounds on the parameters of a stored argon2 hash. A crafted hash outside them is refused
 * before any work: at the limits one check takes about 4 s in hash-wasm on one core here.
 */
export const ARGON2_LIMITS = Object.freeze({
  /** Largest memory cost `m`, in KiB (1 GiB). */
  maxMemoryKiB: 1_048_576,
  /** Largest number of passes `t`. */
  maxIterations: 16,
  /** Largest lane count `p`. */
  maxParallelism: 16,
  /** Largest `m × t`, in KiB-passes (2 GiB·pass: 1 GiB at t = 2, 19 MiB at t = 16). */
  maxMemoryTimesIterations: 2_097_152,
  /** Salt length in bytes, from 8 (RFC 9106's minimum) to this. */
  maxSaltBytes: 64,
  /** Output length in bytes, from 4 (RFC 9106's minimum) to this. */
  maxHashBytes: 128,
});

/** The argon2 variants accepted; `argon2d` is not meant for password storage. */
export type Argon2Variant = 'argon2id' | 'argon2i';

// Version 19 (0x13) only: it is what every encoder has written since 2016, and hash-wasm
// cannot compute version 16. Parameters in the order every encoder writes them.
const PHC_ARGON2 =
  /^\$(argon2id|argon2i)\$v=19\$m=([0-9]+),t=([0-9]+),p=([0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * The variant of a PHC argon2 string whose parameters are within {@link ARGON2_LIMITS};
 * `undefined` for anything else.
 */
export function parseArgon2Variant(phc: string): Argon2Variant | undefined {
  const match = PHC_ARGON2.exec(phc);
  if (match === null) return undefined;
  const [, variant, m, t, p, salt, hash] = match;
  const parallelism = parseBoundedInt(p, 1, ARGON2_LIMITS.maxParallelism);
  const iterations = parseBoundedInt(t, 1, ARGON2_LIMITS.maxIterations);
  // RFC 9106 3.1: memory is at least 8 KiB per lane.
  const memory = parseBoundedInt(m, 8 * (parallelism ?? 1), ARGON2_LIMITS.maxMemoryKiB);
  if (parallelism === undefined || iterations === undefined || memory === undefined) {
    return undefined;
  }
  if (memory * iterations > ARGON2_LIMITS.maxMemoryTimesIterations) return undefined;
  const saltBytes = decodeCanonicalBase64(salt, 'forbidden');
  const hashBytes = decodeCanonicalBase64(hash, 'forbidden');
  if (saltBytes === undefined || saltBytes.length < 8) return undefined;
  if (saltBytes.length > ARGON2_LIMITS.maxSaltBytes) return undefined;
  if (hashBytes === undefined || hashBytes.length < 4) return undefined;
  if (hashBytes.length > ARGON2_LIMITS.maxHashBytes) return undefined;
  return variant === 'argon2id' ? 'argon2id' : 'argon2i';
}

/**
 * Checks `password` against a PHC argon2 string through `kdf.argon2Verify`; `false` when the
 * string is not argon2id/argon2i v19 within {@link ARGON2_LIMITS}, and for the empty password,
 * which neither hash-wasm nor the reference `argon2` tool will hash.
 */
export async function verifyArgon2(
  password: string,
  phc: string,
  kdf: KdfPrimitives,
): Promise<boolean> {
  if (password.length === 0 || parseArgon2Variant(phc) === undefined) return false;
  return kdf.argon2Verify(password, phc);
}

/** Parses a PHC `$argon2id$…` or `$argon2i$…` string within {@link ARGON2_LIMITS}. */
export function parseArgon2(stored: string): ParsedLegacyHash | undefined {
  const variant = parseArgon2Variant(stored);
  if (variant === undefined) return undefined;
  return { format: variant, verify: (password, kdf) => verifyArgon2(password, stored, kdf) };
}
