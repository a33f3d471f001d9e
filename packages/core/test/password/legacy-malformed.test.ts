import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/encoding.js';
import { inlineKdf, type KdfPrimitives } from '../../src/password/kdf.js';
import { identifyHashFormat, verifyLegacyHash } from '../../src/password/legacy/index.js';

// A KDF that fails the test if the verifier reaches any slow work.
const refusingKdf: KdfPrimitives = {
  argon2Verify: () => Promise.reject(new Error('argon2Verify must not be called')),
  bcryptVerify: () => Promise.reject(new Error('bcryptVerify must not be called')),
  pbkdf2: () => Promise.reject(new Error('pbkdf2 must not be called')),
  scrypt: () => Promise.reject(new Error('scrypt must not be called')),
};

const b64 = (bytes: number) => toBase64(new Uint8Array(bytes).fill(0x5a));
const b64u = (bytes: number) => b64(bytes).replace(/=+$/, '');
const BCRYPT_BODY = 'abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
const ARGON2_TAIL = `${b64u(16)}$${b64u(32)}`;

// Well-formed strings of each family; each malformed case below changes one thing.
const WELL_FORMED: ReadonlyArray<readonly [string, string]> = [
  [`$2b$04$${BCRYPT_BODY}`, 'bcrypt'],
  [`$2b$16$${BCRYPT_BODY}`, 'bcrypt'],
  [`$argon2id$v=19$m=19456,t=2,p=1$${ARGON2_TAIL}`, 'argon2id'],
  [`$argon2i$v=19$m=1048576,t=2,p=16$${ARGON2_TAIL}`, 'argon2i'],
  [`$argon2id$v=19$m=131072,t=16,p=1$${b64u(8)}$${b64u(4)}`, 'argon2id'],
  [`pbkdf2_sha256$870000$abc$${b64(32)}`, 'django_pbkdf2_sha256'],
  [`pbkdf2_sha256$10000000$abc$${b64(32)}`, 'django_pbkdf2_sha256'],
  [`pbkdf2_sha1$1$abc$${b64(20)}`, 'django_pbkdf2_sha1'],
  [`argon2$argon2id$v=19$m=102400,t=2,p=8$${ARGON2_TAIL}`, 'django_argon2id'],
  [`argon2$argon2i$v=19$m=512,t=2,p=2$${ARGON2_TAIL}`, 'django_argon2i'],
  [`bcrypt$$2b$12$${BCRYPT_BODY}`, 'django_bcrypt'],
  [`bcrypt_sha256$$2b$12$${BCRYPT_BODY}`, 'django_bcrypt_sha256'],
  [`scrypt$16384$abc$8$5$${b64(64)}`, 'django_scrypt'],
  [`scrypt$1048576$abc$2$1$${b64(64)}`, 'django_scrypt'],
  [`scrypt$1048576$abc$1$16$${b64(64)}`, 'django_scrypt'],
];

const MALFORMED: Record<string, readonly string[]> = {
  bcrypt: [
    `$2x$04$${BCRYPT_BODY}`, // crypt_blowfish's known-buggy variant
    `$2c$04$${BCRYPT_BODY}`,
    `$2$04$${BCRYPT_BODY}`,
    `$2b$4$${BCRYPT_BODY}`,
    `$2b$04$${BCRYPT_BODY.slice(1)}`,
    `$2b$04$${BCRYPT_BODY}A`,
    `$2b$04$${BCRYPT_BODY.slice(1)}!`,
    `$2b$04$${BCRYPT_BODY}\n`,
    ` $2b$04$${BCRYPT_BODY}`,
    '$2b$04$',
  ],
  argon2: [
    `$argon2d$v=19$m=19456,t=2,p=1$${ARGON2_TAIL}`,
    `$argon2id$v=16$m=19456,t=2,p=1$${ARGON2_TAIL}`,
    `$argon2id$m=19456,t=2,p=1$${ARGON2_TAIL}`,
    `$argon2id$v=19$t=2,m=19456,p=1$${ARGON2_TAIL}`,
    `$argon2id$v=19$m=019456,t=2,p=1$${ARGON2_TAIL}`,
    `$argon2id$v=19$m=19456,t=2,p=1,keyid=abc$${ARGON2_TAIL}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${b64u(7)}$${b64u(32)}`, // salt under 8 bytes
    `$argon2id$v=19$m=19456,t=2,p=1$${b64u(16)}$${b64u(3)}`, // hash under 4 bytes
    `$argon2id$v=19$m=19456,t=2,p=1$${b64(16)}$${b64u(32)}`, // padded salt
    `$argon2id$v=19$m=19456,t=2,p=1$${b64u(16).replace(/.$/, 'b')}$${b64u(32)}`, // stray bits
    `$argon2id$v=19$m=19456,t=2,p=1$${b64u(16)}-_$${b64u(32)}`, // base64url alphabet
    `$argon2id$v=19$m=19456,t=2,p=1$${b64u(16)}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${ARGON2_TAIL}$`,
    `$argon2id$v=19$m=8,t=1,p=2$${ARGON2_TAIL}`, // m under 8 KiB per lane
    `$argon2id$v=19$m=0,t=2,p=1$${ARGON2_TAIL}`,
    `$argon2id$v=19$m=19456,t=0,p=1$${ARGON2_TAIL}`,
    `$argon2id$v=19$m=19456,t=2,p=0$${ARGON2_TAIL}`,
    '$argon2id$',
  ],
  django: [
    `pbkdf2_sha256$01000$abc$${b64(32)}`,
    `pbkdf2_sha256$1e4$abc$${b64(32)}`,
    `pbkdf2_sha256$-1000$abc$${b64(32)}`,
    `pbkdf2_sha256$ 1000$abc$${b64(32)}`,
    `pbkdf2_sha256$1000$$${b64(32)}`, // empty salt
    `pbkdf2_sha256$1000$abc$${b64(20)}`, // SHA-1 length under SHA-256
    `pbkdf2_sha1$1000$abc$${b64(32)}`,
    `pbkdf2_sha256$1000$abc$${b64(32).replace(/=$/, '')}`, // unpadded
    `pbkdf2_sha256$1000$abc$${b64(32)}$extra`,
    'pbkdf2_sha256$1000$abc',
    `pbkdf2_sha512$1000$abc$${b64(64)}`,
    `PBKDF2_SHA256$1000$abc$${b64(32)}`,
    `scrypt$16384$abc$8$5$${b64(32)}`, // Django always derives 64 bytes
    `scrypt$16384$abc$8$${b64(64)}`,
    `scrypt$16384$$8$5$${b64(64)}`,
    `scrypt$16384$abc$8$5$${b64(64)}$`,
    `scrypt$16383$abc$8$5$${b64(64)}`,
    `argon2$argon2d$v=19$m=512,t=2,p=2$${ARGON2_TAIL}`,
    `argon2$$argon2id$v=19$m=512,t=2,p=2$${ARGON2_TAIL}`,
    `argon2id$v=19$m=512,t=2,p=2$${ARGON2_TAIL}`,
    `bcrypt$2b$04$${BCRYPT_BODY}`,
    `bcrypt$$2x$04$${BCRYPT_BODY}`,
    `bcrypt_sha256$$2b$04$${BCRYPT_BODY.slice(2)}`,
    // Django formats that are not supported: salted and unsalted MD5/SHA-1, crypt.
    'md5$abc$0cc175b9c0f1b6a831c399e269772661',
    'sha1$$86f7e437faa5a7fce15d1ddcb9eaeaea377667b8',
    '0cc175b9c0f1b6a831c399e269772661',
    'crypt$$abN0vTg2O6Nvc',
  ],
  anything: ['', '$', '$$', 'hunter2', 'undefined', `pbkdf2_sha256$1000$${'a'.repeat(2000)}$`],
};

const OUT_OF_BOUNDS: readonly string[] = [
  `$2b$17$${BCRYPT_BODY}`,
  `$2b$31$${BCRYPT_BODY}`,
  `$2y$03$${BCRYPT_BODY}`,
  `$argon2id$v=19$m=1048577,t=1,p=1$${ARGON2_TAIL}`, // over 1 GiB
  `$argon2id$v=19$m=19456,t=17,p=1$${ARGON2_TAIL}`,
  `$argon2id$v=19$m=19456,t=2,p=17$${ARGON2_TAIL}`,
  `$argon2id$v=19$m=1048576,t=3,p=1$${ARGON2_TAIL}`, // m·t over 2 GiB·pass
  `$argon2id$v=19$m=4294967295,t=4294967295,p=255$${ARGON2_TAIL}`,
  `$argon2id$v=19$m=19456,t=2,p=1$${b64u(65)}$${b64u(32)}`,
  `$argon2id$v=19$m=19456,t=2,p=1$${b64u(16)}$${b64u(129)}`,
  `argon2$argon2id$v=19$m=2097152,t=1,p=4$${ARGON2_TAIL}`,
  `pbkdf2_sha256$0$abc$${b64(32)}`,
  `pbkdf2_sha256$10000001$abc$${b64(32)}`,
  `pbkdf2_sha1$99999999999999999999$abc$${b64(20)}`,
  `bcrypt$$2b$20$${BCRYPT_BODY}`,
  `bcrypt_sha256$$2b$31$${BCRYPT_BODY}`,
  `scrypt$1$abc$8$1$${b64(64)}`,
  `scrypt$3$abc$8$1$${b64(64)}`, // not a power of two
  `scrypt$2097152$abc$1$1$${b64(64)}`, // N over 2^20
  `scrypt$1048576$abc$8$1$${b64(64)}`, // 1 GiB of memory
  `scrypt$262144$abc$8$16$${b64(64)}`, // N·r·p = 2^25
  `scrypt$16384$abc$0$1$${b64(64)}`,
  `scrypt$16384$abc$33$1$${b64(64)}`,
  `scrypt$16384$abc$8$0$${b64(64)}`,
  `scrypt$16384$abc$8$17$${b64(64)}`,
];

describe('identifyHashFormat on well-formed hashes at and inside the bounds', () => {
  it.each(WELL_FORMED)('%s → %s', (stored, format) => {
    expect(identifyHashFormat(stored)).toBe(format);
  });
});

describe.each(Object.entries(MALFORMED))('malformed %s hashes', (_family, cases) => {
  it.each(cases)('%j is unidentified and never verifies, without hashing', async (stored) => {
    expect(identifyHashFormat(stored)).toBeUndefined();
    await expect(verifyLegacyHash('hunter2', stored, refusingKdf)).resolves.toBe(false);
  });
});

describe('parameters beyond the bounds (a crafted hash cannot make us burn minutes)', () => {
  it.each(OUT_OF_BOUNDS)('%s is refused before any hashing', async (stored) => {
    expect(identifyHashFormat(stored)).toBeUndefined();
    await expect(verifyLegacyHash('hunter2', stored, refusingKdf)).resolves.toBe(false);
  });

  it('all of them together take no measurable time with the real KDF', async () => {
    const started = performance.now();
    for (const stored of OUT_OF_BOUNDS) {
      expect(await verifyLegacyHash('hunter2', stored, inlineKdf)).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("Django's unusable password", () => {
  it.each(['!', '!xyz', `!${'a1B2c3D4e5'.repeat(4)}`, `!pbkdf2_sha256$1000$abc$${b64(32)}`])(
    '%s is "unusable" and never verifies, whatever the password',
    async (stored) => {
      expect(identifyHashFormat(stored)).toBe('unusable');
      for (const password of ['', '!', stored, stored.slice(1), 'hunter2']) {
        await expect(verifyLegacyHash(password, stored, refusingKdf)).resolves.toBe(false);
      }
    },
  );
});

describe('values that are not strings (NULL columns, untyped callers)', () => {
  it.each([[null], [undefined], [42], [{}], [['$2b$04$']]])(
    'stored %j → undefined, false',
    async (x) => {
      const stored = x as unknown as string;
      expect(identifyHashFormat(stored)).toBeUndefined();
      await expect(verifyLegacyHash('hunter2', stored, refusingKdf)).resolves.toBe(false);
    },
  );

  it('a password that is not a string never verifies', async () => {
    const stored = `pbkdf2_sha256$1000$abc$${b64(32)}`;
    const password = null as unknown as string;
    await expect(verifyLegacyHash(password, stored, refusingKdf)).resolves.toBe(false);
  });
});
