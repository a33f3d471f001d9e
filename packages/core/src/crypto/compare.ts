/**
 * Compares two byte arrays in time that depends only on their lengths, not on where they
 * differ, so an attacker cannot learn a secret byte by byte from response times.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths of hashes and tokens are public; comparing them first leaks nothing secret.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Compares two strings (hashes, encoded tokens) in time that depends only on their lengths.
 * Works on UTF-16 code units directly: no encoding step on the per-request path.
 */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
