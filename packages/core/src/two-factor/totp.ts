import { generate, verify } from 'otplib';
import type { RandomSource } from '../crypto/random.js';
import type { TotpState } from '../storage/types/users.js';

/** The parameters of a TOTP enrollment (RFC 6238), without the secret. */
export type TotpParams = Pick<TotpState, 'algorithm' | 'digits' | 'periodSeconds' | 't0'>;

/** What new enrollments use: what every authenticator app supports (SHA-1, 6 digits, 30 s). */
export const DEFAULT_TOTP_PARAMS: TotpParams = Object.freeze({
  algorithm: 'sha1',
  digits: 6,
  periodSeconds: 30,
  t0: 0,
});

/** Bytes of a new TOTP secret: 160 bits, RFC 4226's recommendation and SHA-1's block size. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 Base32 without padding: the form authenticator apps and otplib read. */
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** A new 160-bit TOTP secret, Base32, from the configured random source. */
export function generateTotpSecret(random: RandomSource): string {
  return toBase32(random.bytes(TOTP_SECRET_BYTES));
}

/**
 * The `otpauth://` URI of an enrollment (Google's Key Uri Format), for a QR code:
 * `otpauth://totp/{issuer}:{account}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 * The parameters are always written out, so apps that ignore defaults agree with us.
 */
export function totpUri(options: {
  issuer: string;
  account: string;
  secret: string;
  params?: TotpParams;
}): string {
  const p = options.params ?? DEFAULT_TOTP_PARAMS;
  const issuer = encodeURIComponent(options.issuer);
  const label = `${issuer}:${encodeURIComponent(options.account)}`;
  const query = `secret=${options.secret}&issuer=${issuer}&algorithm=${p.algorithm.toUpperCase()}&digits=${p.digits}&period=${p.periodSeconds}`;
  return `otpauth://totp/${label}?${query}`;
}

/** The TOTP code of `secret` (Base32) at `atMs` (epoch ms). */
export function totpCode(secret: string, params: TotpParams, atMs: number): Promise<string> {
  return generate({
    secret,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.periodSeconds,
    t0: params.t0,
    epoch: Math.floor(atMs / 1000),
  });
}

/**
 * The time step whose code `code` is, looking `windowSteps` steps either side of `atMs`
 * (default 1, RFC 6238 section 5.2's allowance for clock drift and typing time), or
 * `undefined`. Spaces in `code` are ignored; anything else that is not `digits` digits never
 * matches. Pure: replay protection is the caller's (`advanceTotpStep`).
 */
export async function matchTotpStep(
  secret: string,
  params: TotpParams,
  code: string,
  options: { atMs: number; windowSteps?: number },
): Promise<number | undefined> {
  const token = code.replace(/\s+/g, '');
  // otplib throws on a malformed token; a malformed code is simply a wrong one.
  if (token.length !== params.digits || !/^\d+$/.test(token)) return undefined;
  const epoch = Math.floor(options.atMs / 1000);
  const result = await verify({
    secret,
    token,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.periodSeconds,
    t0: params.t0,
    epoch,
    // otplib 13 takes the tolerance in seconds: one period either side is one step.
    epochTolerance: params.periodSeconds * (options.windowSteps ?? 1),
  });
  // `delta` is the matching step relative to the current one (otplib's union type for TOTP and
  // HOTP results has no `timeStep`).
  return result.valid
    ? Math.floor((epoch - params.t0) / params.periodSeconds) + result.delta
    : undefined;
}
