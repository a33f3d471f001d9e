import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { inlineKdf } from '../../src/password/kdf.js';
import { identifyHashFormat, verifyLegacyHash } from '../../src/password/legacy/index.js';

// Vectors made by independent implementations (htpasswd, libxcrypt, the reference argon2 CLI,
// Python's hashlib as Django calls it); see fixtures/make-legacy-vectors.sh.
const HashFormatSchema = v.picklist([
  'argon2id',
  'argon2i',
  'bcrypt',
  'django_pbkdf2_sha256',
  'django_pbkdf2_sha1',
  'django_argon2id',
  'django_argon2i',
  'django_bcrypt',
  'django_bcrypt_sha256',
  'django_scrypt',
]);
const VectorsSchema = v.object({
  vectors: v.array(
    v.object({
      name: v.string(),
      format: HashFormatSchema,
      source: v.string(),
      password: v.string(),
      stored: v.string(),
      alsoValid: v.array(v.string()),
      wrong: v.pipe(v.array(v.string()), v.minLength(1)),
    }),
  ),
});
const { vectors } = v.parse(
  VectorsSchema,
  JSON.parse(readFileSync(new URL('./fixtures/legacy-vectors.json', import.meta.url), 'utf8')),
);

describe('legacy hash vectors from independent implementations', () => {
  it('cover every format, with non-ASCII and empty passwords', () => {
    const formats = new Set(vectors.map((vector) => vector.format));
    expect([...formats].sort()).toEqual([...HashFormatSchema.options].sort());
    expect(vectors.some((vector) => /[^\x20-\x7e]/.test(vector.password))).toBe(true);
    expect(vectors.some((vector) => vector.password === '')).toBe(true);
  });

  describe.each(vectors)('$name', (vector) => {
    it(`is identified as ${vector.format}`, () => {
      expect(identifyHashFormat(vector.stored)).toBe(vector.format);
    });

    it(`verifies the password (${vector.source})`, async () => {
      expect(await verifyLegacyHash(vector.password, vector.stored, inlineKdf)).toBe(true);
      for (const password of vector.alsoValid) {
        expect(await verifyLegacyHash(password, vector.stored, inlineKdf)).toBe(true);
      }
    });

    it('rejects every wrong password', async () => {
      for (const password of vector.wrong) {
        expect(await verifyLegacyHash(password, vector.stored, inlineKdf)).toBe(false);
      }
    });
  });
});

describe('the password is used as given', () => {
  const pbkdf2 = vectors.find((vector) => vector.name === 'pbkdf2_sha256 non-ASCII');

  it('is not Unicode-normalized: NFD of an NFC password does not verify', async () => {
    if (pbkdf2 === undefined) throw new Error('fixture "pbkdf2_sha256 non-ASCII" is missing');
    const nfd = pbkdf2.password.normalize('NFD');
    expect(nfd).not.toBe(pbkdf2.password);
    expect(await verifyLegacyHash(nfd, pbkdf2.stored, inlineKdf)).toBe(false);
    expect(await verifyLegacyHash(pbkdf2.password, pbkdf2.stored, inlineKdf)).toBe(true);
  });

  it('is not trimmed', async () => {
    if (pbkdf2 === undefined) throw new Error('fixture "pbkdf2_sha256 non-ASCII" is missing');
    expect(await verifyLegacyHash(` ${pbkdf2.password}`, pbkdf2.stored, inlineKdf)).toBe(false);
    expect(await verifyLegacyHash(`${pbkdf2.password}\n`, pbkdf2.stored, inlineKdf)).toBe(false);
  });
});
