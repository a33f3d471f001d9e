import { describe, expect, it } from 'vitest';
import { toBase64, toHex, utf8 } from '../../src/crypto/encoding.js';
import { sha256 } from '../../src/crypto/hash.js';
import type { KdfPrimitives } from '../../src/password/kdf.js';
import { verifyLegacyHash } from '../../src/password/legacy/index.js';

// What the verifiers hand to the KDF: the worker pool must receive exactly these inputs.
type Call = { method: keyof KdfPrimitives; args: unknown[] };

function spyKdf(answers: { derived?: Uint8Array; verified?: boolean } = {}) {
  const calls: Call[] = [];
  const kdf: KdfPrimitives = {
    argon2Verify: async (...args) => {
      calls.push({ method: 'argon2Verify', args });
      return answers.verified ?? true;
    },
    bcryptVerify: async (...args) => {
      calls.push({ method: 'bcryptVerify', args });
      return answers.verified ?? true;
    },
    pbkdf2: async (...args) => {
      calls.push({ method: 'pbkdf2', args });
      return answers.derived ?? new Uint8Array(args[0].keyLength);
    },
    scrypt: async (...args) => {
      calls.push({ method: 'scrypt', args });
      return answers.derived ?? new Uint8Array(args[0].keyLength);
    },
  };
  return { kdf, calls };
}

const BODY = 'abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
const KEY32 = new Uint8Array(32).map((_, i) => i * 7 + 1);
const KEY64 = new Uint8Array(64).map((_, i) => i * 3 + 5);

describe('bcrypt inputs', () => {
  it.each(['$2a$', '$2b$', '$2y$'])('passes a %s hash through unchanged', async (prefix) => {
    const { kdf, calls } = spyKdf();
    const stored = `${prefix}05$${BODY}`;
    expect(await verifyLegacyHash('pässwörd', stored, kdf)).toBe(true);
    expect(calls).toEqual([{ method: 'bcryptVerify', args: [utf8('pässwörd'), stored] }]);
  });

  it('keys with the first 72 UTF-8 bytes only, even mid-character', async () => {
    const { kdf, calls } = spyKdf();
    const password = `${'a'.repeat(71)}ä and more`;
    await verifyLegacyHash(password, `$2b$05$${BODY}`, kdf);
    expect(calls[0]?.args[0]).toEqual(utf8(password).subarray(0, 72));
  });

  it('keys the empty password as the single byte 0, which bcrypt treats the same', async () => {
    const { kdf, calls } = spyKdf();
    await verifyLegacyHash('', `$2y$05$${BODY}`, kdf);
    expect(calls[0]?.args[0]).toEqual(new Uint8Array([0]));
  });

  it('never verifies a password containing NUL (C bcrypt would cut it short)', async () => {
    const { kdf, calls } = spyKdf();
    expect(await verifyLegacyHash('abc\u0000def', `$2b$05$${BODY}`, kdf)).toBe(false);
    expect(await verifyLegacyHash('\u0000', `bcrypt$$2b$05$${BODY}`, kdf)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('Django bcrypt$ keys with the raw password, bcrypt_sha256$ with hex SHA-256', async () => {
    const { kdf, calls } = spyKdf();
    await verifyLegacyHash('pässwörd', `bcrypt$$2b$12$${BODY}`, kdf);
    await verifyLegacyHash('pässwörd', `bcrypt_sha256$$2b$12$${BODY}`, kdf);
    expect(calls).toEqual([
      { method: 'bcryptVerify', args: [utf8('pässwörd'), `$2b$12$${BODY}`] },
      { method: 'bcryptVerify', args: [utf8(toHex(sha256('pässwörd'))), `$2b$12$${BODY}`] },
    ]);
    expect(toHex(sha256('pässwörd'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers what the KDF answers', async () => {
    const { kdf } = spyKdf({ verified: false });
    expect(await verifyLegacyHash('x', `$2b$05$${BODY}`, kdf)).toBe(false);
  });
});

describe('argon2 inputs', () => {
  const phc = `$argon2id$v=19$m=512,t=2,p=2$c2FsdHNhbHQ$${toBase64(KEY32).replace(/=+$/, '')}`;

  it('passes a PHC string through unchanged', async () => {
    const { kdf, calls } = spyKdf();
    expect(await verifyLegacyHash('pw', phc, kdf)).toBe(true);
    expect(calls).toEqual([{ method: 'argon2Verify', args: ['pw', phc] }]);
  });

  it('turns a Django argon2$ value back into the PHC string', async () => {
    const { kdf, calls } = spyKdf();
    expect(await verifyLegacyHash('pw', `argon2${phc}`, kdf)).toBe(true);
    expect(calls).toEqual([{ method: 'argon2Verify', args: ['pw', phc] }]);
  });

  it('never verifies the empty password, without calling the KDF', async () => {
    const { kdf, calls } = spyKdf();
    expect(await verifyLegacyHash('', phc, kdf)).toBe(false);
    expect(await verifyLegacyHash('', `argon2${phc}`, kdf)).toBe(false);
    expect(calls).toEqual([]);
  });
});

describe('PBKDF2 and scrypt inputs and the comparison', () => {
  const pbkdf2 = `pbkdf2_sha256$1000$sält$${toBase64(KEY32)}`;
  const scrypt = `scrypt$16384$sält$8$5$${toBase64(KEY64)}`;

  it('derives with the UTF-8 salt, the stored iterations and the digest length', async () => {
    const { kdf, calls } = spyKdf({ derived: KEY32 });
    expect(await verifyLegacyHash('pw', pbkdf2, kdf)).toBe(true);
    expect(calls).toEqual([
      {
        method: 'pbkdf2',
        args: [
          { password: 'pw', salt: utf8('sält'), iterations: 1000, keyLength: 32, digest: 'sha256' },
        ],
      },
    ]);
    const sha1 = spyKdf();
    await verifyLegacyHash('pw', `pbkdf2_sha1$7$abc$${toBase64(KEY32.subarray(0, 20))}`, sha1.kdf);
    expect(sha1.calls[0]?.args[0]).toMatchObject({ iterations: 7, keyLength: 20, digest: 'sha1' });
  });

  it('derives scrypt with N, r, p from the string and 64 bytes', async () => {
    const { kdf, calls } = spyKdf({ derived: KEY64 });
    expect(await verifyLegacyHash('pw', scrypt, kdf)).toBe(true);
    expect(calls).toEqual([
      {
        method: 'scrypt',
        args: [
          {
            password: 'pw',
            salt: utf8('sält'),
            costFactor: 16384,
            blockSize: 8,
            parallelism: 5,
            keyLength: 64,
          },
        ],
      },
    ]);
  });

  it.each([0, 19, 31])('a PBKDF2 key differing only in byte %i does not verify', async (at) => {
    const derived = KEY32.slice();
    derived[at] = (derived[at] ?? 0) ^ 1;
    expect(await verifyLegacyHash('pw', pbkdf2, spyKdf({ derived }).kdf)).toBe(false);
  });

  it.each([0, 32, 63])('a scrypt key differing only in byte %i does not verify', async (at) => {
    const derived = KEY64.slice();
    derived[at] = (derived[at] ?? 0) ^ 0x80;
    expect(await verifyLegacyHash('pw', scrypt, spyKdf({ derived }).kdf)).toBe(false);
  });

  it('a derived key of another length does not verify', async () => {
    expect(await verifyLegacyHash('pw', pbkdf2, spyKdf({ derived: KEY64 }).kdf)).toBe(false);
    expect(await verifyLegacyHash('pw', scrypt, spyKdf({ derived: KEY32 }).kdf)).toBe(false);
  });
});

describe('a failing KDF', () => {
  it('is reported, not mistaken for a wrong password', async () => {
    const failure = new Error('worker pool is shut down');
    const kdf: KdfPrimitives = {
      argon2Verify: () => Promise.reject(failure),
      bcryptVerify: () => Promise.reject(failure),
      pbkdf2: () => Promise.reject(failure),
      scrypt: () => Promise.reject(failure),
    };
    for (const stored of [
      `pbkdf2_sha256$1000$abc$${toBase64(KEY32)}`,
      `scrypt$16$abc$8$1$${toBase64(KEY64)}`,
      `$2b$05$${BODY}`,
      `argon2$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$${toBase64(KEY32).replace(/=+$/, '')}`,
    ]) {
      await expect(verifyLegacyHash('pw', stored, kdf)).rejects.toBe(failure);
    }
  });
});
