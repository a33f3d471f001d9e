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

/** {@link timingSafeEqual} over the UTF-8 bytes of two strings (hashes, encoded tokens). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
