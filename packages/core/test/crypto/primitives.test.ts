import { describe, expect, it } from 'vitest';
import { timingSafeEqual, timingSafeEqualStrings } from '../../src/crypto/compare.js';
import { fromBase64Url, fromHex, toBase64Url, toHex } from '../../src/crypto/encoding.js';
import { hkdfSha256, hmacSha256, sha256, sha256Base64Url } from '../../src/crypto/hash.js';
import { webCryptoRandom } from '../../src/crypto/random.js';

describe('hashes (known-answer tests)', () => {
  it('SHA-256 of "abc" (FIPS 180-2)', () => {
    expect(toHex(sha256('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('SHA-256 as base64url: the native path (strings) agrees with noble (bytes), UTF-8 included', () => {
    expect(sha256Base64Url('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    for (const text of ['', 'abc', 'Zoë ✓ 😀', 'x'.repeat(1000)]) {
      expect(sha256Base64Url(text)).toBe(toBase64Url(sha256(new TextEncoder().encode(text))));
      expect(sha256Base64Url(new TextEncoder().encode(text))).toBe(sha256Base64Url(text));
    }
  });

  it('HMAC-SHA256, RFC 4231 test case 2', () => {
    expect(
      toHex(hmacSha256(new TextEncoder().encode('Jefe'), 'what do ya want for nothing?')),
    ).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('HKDF-SHA256, RFC 5869 test case 1', () => {
    const ikm = fromHex('0b'.repeat(22)) as Uint8Array;
    const salt = fromHex('000102030405060708090a0b0c') as Uint8Array;
    const info = fromHex('f0f1f2f3f4f5f6f7f8f9') as Uint8Array;
    expect(toHex(hkdfSha256(ikm, { salt, info, length: 42 }))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });
});

describe('constant-time comparison', () => {
  it('is true only for equal inputs', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(timingSafeEqualStrings('héllo', 'héllo')).toBe(true);
    expect(timingSafeEqualStrings('hello', 'hellO')).toBe(false);
  });
});

describe('encodings', () => {
  it('base64url round-trips and refuses non-canonical or foreign input', () => {
    const bytes = webCryptoRandom.bytes(33);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(fromBase64Url('ab+/')).toBeUndefined();
    expect(fromBase64Url('abc=')).toBeUndefined();
    expect(fromBase64Url('A')).toBeUndefined();
    expect(fromBase64Url('AB')).toBeUndefined(); // trailing bits set: not canonical
  });

  it('random bytes fill requests above the 65,536-byte Web Crypto limit', () => {
    const big = webCryptoRandom.bytes(70_000);
    expect(big).toHaveLength(70_000);
    expect(big.subarray(66_000).some((b) => b !== 0)).toBe(true);
  });
});
