import type { RandomSource } from '../crypto/random.js';
import { FIRST_GENERATION } from '../storage/generation.js';

/**
 * A new credential generation: a random safe integer in [1, 2^53). Random rather than a
 * counter, so two changes written concurrently never produce the same value (a counter read
 * by both would), and the session of the change that lost the race cannot survive the one
 * that won.
 */
export function newCredentialGeneration(random: RandomSource): number {
  const b = random.bytes(7);
  // 53 bits: 5 bits of the first byte and 48 of the next six.
  let n = (b[0] as number) & 0x1f;
  for (let i = 1; i < 7; i++) n = n * 256 + (b[i] as number);
  return n === FIRST_GENERATION ? 1 : n;
}

/**
 * The generation a record was made under. Records written before generations existed (a
 * session cached in Redis across an upgrade) read as the first generation.
 */
export function generationOf(record: { readonly credentialGeneration?: number }): number {
  return record.credentialGeneration ?? FIRST_GENERATION;
}

/**
 * Whether a session, refresh family, trusted device or pending token made under `made` is
 * still valid for a user now at `current`.
 */
export function sameGeneration(
  made: { readonly credentialGeneration?: number },
  current: { readonly credentialGeneration?: number },
): boolean {
  return generationOf(made) === generationOf(current);
}

/**
 * The generation recorded in a one-time token's payload (`credentialGeneration`): the user's
 * generation when the link was mailed or the sign-in challenged. Tokens issued before
 * generations existed read as the first generation.
 */
export function tokenGeneration(record: { readonly payload?: Readonly<Record<string, unknown>> }): {
  readonly credentialGeneration: number;
} {
  const value = record.payload?.credentialGeneration;
  return { credentialGeneration: typeof value === 'number' ? value : FIRST_GENERATION };
}
