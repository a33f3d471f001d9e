import { describe, expect, it } from 'vitest';
import { sha256Base64Url } from '../../src/crypto/hash.js';
import {
  createSplitToken,
  parseSplitToken,
  randomToken,
  verifyTokenSecret,
} from '../../src/crypto/tokens.js';

describe('split tokens', () => {
  it('stores only SHA-256 of the secret and verifies the secret against it', () => {
    const t = createSplitToken();
    expect(t.token).toBe(`${t.id}.${t.secret}`);
    expect(t.secretHash).toBe(sha256Base64Url(t.secret));
    expect(t.secretHash).not.toContain(t.secret);
    expect(verifyTokenSecret(t.secret, t.secretHash)).toBe(true);
  });

  it('has a 128-bit id and a 256-bit secret, different each time', () => {
    const a = createSplitToken();
    const b = createSplitToken();
    expect(a.id).toHaveLength(22);
    expect(a.secret).toHaveLength(43);
    expect(a.id).not.toBe(b.id);
    expect(a.secret).not.toBe(b.secret);
  });

  it('rejects a secret that differs from the stored hash', () => {
    const a = createSplitToken();
    const b = createSplitToken();
    expect(verifyTokenSecret(b.secret, a.secretHash)).toBe(false);
    expect(verifyTokenSecret('', a.secretHash)).toBe(false);
  });

  it('parses its own tokens and reuses a given id', () => {
    const t = createSplitToken({ id: randomToken({ bytes: 16 }) });
    expect(parseSplitToken(t.token)).toEqual({ id: t.id, secret: t.secret });
  });

  it.each([
    ['not a string', 42],
    ['no dot', 'abc'],
    ['two dots', 'a.b.c'],
    ['empty parts', '.'],
    ['short secret', `${randomToken({ bytes: 16 })}.${randomToken({ bytes: 8 })}`],
    ['long id', `${randomToken({ bytes: 32 })}.${randomToken({ bytes: 32 })}`],
    ['non-base64url characters', `${'+'.repeat(22)}.${'/'.repeat(43)}`],
    ['oversized input', 'a'.repeat(10_000)],
  ])('refuses a malformed token before any lookup: %s', (_name, input) => {
    expect(parseSplitToken(input)).toBeUndefined();
  });

  it('parses every token it makes, and refuses a non-canonical spelling of the same bytes', () => {
    for (let i = 0; i < 300; i++) {
      const t = createSplitToken();
      expect(parseSplitToken(t.token)).toEqual({ id: t.id, secret: t.secret });
    }
    const t = createSplitToken({ id: 'AAAAAAAAAAAAAAAAAAAAAA' });
    // 'B' sets a padding bit: it decodes to the same 16 bytes, but is not the canonical form.
    expect(parseSplitToken(`AAAAAAAAAAAAAAAAAAAAAB.${t.secret}`)).toBeUndefined();
    expect(parseSplitToken(`${t.id}.${t.secret.slice(0, 42)}B`)).toBeUndefined();
  });
});
