import { fromBase64, toBase64 } from '../../crypto/encoding.js';

/**
 * A decimal integer written the way Django and the PHC format write one (digits only, no sign,
 * no leading zero) and within `[min, max]`; otherwise `undefined`. Being this strict keeps
 * `1e9`, `0x10`, ` 12` or a 400-digit number from slipping past a bound.
 */
export function parseBoundedInt(
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined || !/^(?:0|[1-9][0-9]{0,9})$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/**
 * Bytes of standard base64 in its one canonical spelling: with `=` padding when `padding` is
 * `'required'` (Django writes `base64.b64encode`), without when `'forbidden'` (PHC strings).
 * Django compares whole encoded strings, so a hash spelled any other way never verified there
 * either.
 */
export function decodeCanonicalBase64(
  text: string | undefined,
  padding: 'required' | 'forbidden',
): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const bytes = fromBase64(text);
  if (bytes === undefined) return undefined;
  const canonical = toBase64(bytes);
  return (padding === 'required' ? canonical : canonical.replace(/=+$/, '')) === text
    ? bytes
    : undefined;
}
