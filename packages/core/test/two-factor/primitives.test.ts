import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../src/crypto/index.js';
import { randomDigits } from '../../src/two-factor/otp.js';
import {
  generateRecoveryCode,
  normalizeRecoveryCode,
} from '../../src/two-factor/recovery-codes.js';
import {
  DEFAULT_TOTP_PARAMS,
  matchTotpStep,
  toBase32,
  totpUri,
} from '../../src/two-factor/totp.js';

/** A random source that hands out the given bytes, in order. */
const scripted = (...bytes: number[]): RandomSource => ({
  bytes(length) {
    return Uint8Array.from(bytes.splice(0, length));
  },
});

describe('second-factor primitives', () => {
  it('toBase32 follows RFC 4648 section 10 (without padding)', () => {
    const vectors = ['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI'];
    ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].forEach((text, i) => {
      expect(toBase32(new TextEncoder().encode(text))).toBe(vectors[i]);
    });
  });

  it('randomDigits rejects draws above the last whole multiple of 10^6 (no modulo bias)', () => {
    // 0xFFFFFFFF is above 4294000000, the largest multiple of 10^6 below 2^32: drawn again.
    const random = scripted(0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x2a);
    expect(randomDigits(random)).toBe('000042');
    expect(randomDigits(scripted(0xff, 0xf1, 0x3d, 0x7f))).toBe('999999'); // 4293999999, the last accepted
  });

  it('recovery codes: Base32, grouped by 4; input normalized from case, dashes and spaces', () => {
    const code = generateRecoveryCode(scripted(...Array.from({ length: 24 }, (_, i) => i)), 24);
    expect(code).toBe('ABCD-EFGH-IJKL-MNOP-QRST-UVWX');
    expect(generateRecoveryCode(scripted(...Array(13).fill(31)), 13)).toBe('7777-7777-7777-7');
    expect(normalizeRecoveryCode(' abcd efgh-ijkl mnop-qrst-uvwx ')).toBe(
      'ABCDEFGHIJKLMNOPQRSTUVWX',
    );
    for (const bad of ['ABCD-EFGH-1JKL', 'short', 'A'.repeat(65), 'ABCD-EFGH-IJKL-MNOP!']) {
      expect(normalizeRecoveryCode(bad)).toBeUndefined();
    }
  });

  it('otpauth URIs escape the issuer and account', () => {
    expect(
      totpUri({ issuer: 'A&B Co', account: 'x+y@example.com', secret: 'JBSWY3DPEHPK3PXP' }),
    ).toBe(
      'otpauth://totp/A%26B%20Co:x%2By%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=A%26B%20Co&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('malformed TOTP codes never match (and never throw)', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    for (const code of ['', '12345', '1234567', '12a456', '１２３４５６']) {
      expect(await matchTotpStep(secret, DEFAULT_TOTP_PARAMS, code, { atMs: 0 })).toBeUndefined();
    }
  });
});
