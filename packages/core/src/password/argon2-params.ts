/** argon2id cost parameters. */
export interface Argon2Params {
  /** Memory in KiB. Default 19456 (19 MiB, OWASP's recommendation with t = 2). */
  readonly memoryKiB: number;
  /** Passes over memory. Default 2. */
  readonly iterations: number;
  /** Lanes. Default 1. */
  readonly parallelism: number;
  /** Bytes of output. Default 32. */
  readonly hashLength: number;
  /** Bytes of random salt. Default 16. */
  readonly saltLength: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. */
export const DEFAULT_ARGON2_PARAMS: Argon2Params = Object.freeze({
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
  hashLength: 32,
  saltLength: 16,
});

/** The parts of a PHC argon2 string. */
export interface ParsedArgon2 {
  readonly variant: 'argon2id' | 'argon2i' | 'argon2d';
  readonly version: number;
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  readonly saltLength: number;
  readonly hashLength: number;
}

const PHC =
  /^\$(argon2id|argon2i|argon2d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Parses `$argon2id$v=19$m=…,t=…,p=…$salt$hash`; `undefined` when it is not one. */
export function parseArgon2Phc(phc: string): ParsedArgon2 | undefined {
  const m = PHC.exec(phc);
  if (!m) return undefined;
  const [, variant, v, mem, t, p, salt, hash] = m as unknown as [
    string,
    ParsedArgon2['variant'],
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    variant,
    version: Number(v),
    memoryKiB: Number(mem),
    iterations: Number(t),
    parallelism: Number(p),
    // Unpadded base64: 4 characters carry 3 bytes.
    saltLength: Math.floor((salt.length * 3) / 4),
    hashLength: Math.floor((hash.length * 3) / 4),
  };
}

/**
 * True when `phc` is not an argon2id v1.3 hash at exactly `params`: an older or different
 * cost, another variant, or another format altogether. Sign-in then stores a fresh hash.
 */
export function argon2NeedsRehash(phc: string, params: Argon2Params): boolean {
  const parsed = parseArgon2Phc(phc);
  return (
    parsed === undefined ||
    parsed.variant !== 'argon2id' ||
    parsed.version !== 19 ||
    parsed.memoryKiB !== params.memoryKiB ||
    parsed.iterations !== params.iterations ||
    parsed.parallelism !== params.parallelism ||
    parsed.hashLength !== params.hashLength ||
    parsed.saltLength < Math.min(params.saltLength, 16)
  );
}
