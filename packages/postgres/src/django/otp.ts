/** django-otp's rows, and how they become Portcullis TOTP state and recovery codes. */
import { toBase32 } from '@portcullis/core/two-factor';

/** Smallest TOTP key otplib 13 accepts by default (its `MIN_SECRET_BYTES` guardrail). */
export const MIN_TOTP_KEY_BYTES = 16;
/** Largest TOTP key otplib 13 accepts by default (its `MAX_SECRET_BYTES` guardrail). */
export const MAX_TOTP_KEY_BYTES = 64;

/** A row of `otp_totp_totpdevice`, the columns the import reads. */
export interface DjangoTotpDeviceRow {
  readonly id: number;
  readonly user_id: number;
  readonly key: string;
  readonly step: number;
  readonly t0: number;
  readonly digits: number;
  readonly drift: number;
  readonly last_t: number;
}

/** TOTP parameters made from a device, with the key as Base32. */
export interface ConvertedTotp {
  readonly secret: string;
  readonly digits: number;
  readonly periodSeconds: number;
  readonly t0: number;
  readonly lastUsedStep?: number;
}

/**
 * A django-otp TOTP device as Portcullis TOTP state, or the reason it cannot be one.
 *
 * django-otp counts steps as `floor((now - t0) / step) + drift`; Portcullis has no drift, so
 * the drift is folded into `t0` (`t0 - drift·step`), which gives the same step numbers, so
 * `last_t` carries over as `lastUsedStep` exactly (django-otp's `-1` means none).
 */
export function convertTotpDevice(
  device: DjangoTotpDeviceRow,
): ConvertedTotp | { reason: 'key_invalid' | 'key_too_short' | 'key_too_long' | 'params_invalid' } {
  const key = device.key.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(key)) return { reason: 'key_invalid' };
  const bytes = Uint8Array.from(key.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  if (bytes.length < MIN_TOTP_KEY_BYTES) return { reason: 'key_too_short' };
  if (bytes.length > MAX_TOTP_KEY_BYTES) return { reason: 'key_too_long' };
  const { step, digits, drift } = device;
  const t0 = Number(device.t0) - Number(drift) * Number(step);
  if (
    !Number.isSafeInteger(step) ||
    step < 1 ||
    step > 3600 ||
    (digits !== 6 && digits !== 8) ||
    !Number.isSafeInteger(t0)
  ) {
    return { reason: 'params_invalid' };
  }
  const lastT = Number(device.last_t);
  return {
    secret: toBase32(bytes),
    digits,
    periodSeconds: step,
    t0,
    ...(Number.isSafeInteger(lastT) && lastT >= 0 ? { lastUsedStep: lastT } : {}),
  };
}

/**
 * A django-otp static token in the canonical form core compares recovery codes in (upper
 * case, no spaces or dashes), or `undefined` when core could never accept it as one.
 * django-otp makes 8 lowercase Base32 characters (`b32encode(urandom(5)).lower()`); tokens
 * added by hand may be anything up to 16 characters.
 */
export function normalizeStaticToken(token: string): string | undefined {
  const code = token.replace(/[\s-]+/g, '').toUpperCase();
  return /^[A-Z2-7]{8,64}$/.test(code) ? code : undefined;
}
