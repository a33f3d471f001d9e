/**
 * Issue 15: PBKDF2 and scrypt run in node:crypto (native, libuv's pool, off the event loop),
 * not hash-wasm, and give the same bytes for Django's hashes; bcrypt stays in hash-wasm on
 * workers of its own, so it never holds the argon2id workers of the pool backend.
 */
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { utf8 } from '../../src/crypto/encoding.js';
import { createPasswordHasher } from '../../src/password/hasher.js';
import { inlineKdf } from '../../src/password/kdf.js';
import { verifyLegacyHash } from '../../src/password/legacy/index.js';
import { loadNodeCryptoKdf, withNativeKdf } from '../../src/password/node-kdf.js';

const { vectors } = JSON.parse(
  readFileSync(new URL('./fixtures/legacy-vectors.json', import.meta.url), 'utf8'),
) as {
  vectors: { name: string; format: string; password: string; stored: string; wrong: string[] }[];
};
const django = vectors.filter((v) => /^django_(pbkdf2|scrypt)/.test(v.format));

afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
});

describe('node:crypto PBKDF2 and scrypt agree with hash-wasm on Django vectors', async () => {
  const native = await loadNodeCryptoKdf();
  const kdf = withNativeKdf(inlineKdf, native);

  it('node:crypto is there on Node', () => {
    expect(native).toBeDefined();
  });

  it.each(django)('$name: verifies, and the wrong passwords do not', async (vector) => {
    expect(await verifyLegacyHash(vector.password, vector.stored, kdf)).toBe(true);
    for (const wrong of vector.wrong) {
      expect(await verifyLegacyHash(wrong, vector.stored, kdf)).toBe(false);
    }
  });

  it.each(django)('$name: the same derived key as hash-wasm', async (vector) => {
    const parts = vector.stored.split('$');
    if (vector.format === 'django_scrypt') {
      const o = {
        password: vector.password,
        salt: utf8(parts[2] ?? ''),
        costFactor: Number(parts[1]),
        blockSize: Number(parts[3]),
        parallelism: Number(parts[4]),
        keyLength: 64,
      };
      expect(await native?.scrypt(o)).toEqual(await inlineKdf.scrypt(o));
    } else {
      const o = {
        password: vector.password,
        salt: utf8(parts[2] ?? ''),
        iterations: Number(parts[1]),
        keyLength: vector.format === 'django_pbkdf2_sha1' ? 20 : 32,
        digest: vector.format === 'django_pbkdf2_sha1' ? ('sha1' as const) : ('sha256' as const),
      };
      expect(await native?.pbkdf2(o)).toEqual(await inlineKdf.pbkdf2(o));
    }
  });

  it('scrypt that needs 128 MiB (N = 2^17, r = 8), over the default maxmem of 32 MiB, runs', async () => {
    // Node's default maxmem is 32 MiB: without a larger one this rejects.
    const o = {
      password: 'pw',
      salt: 'salt',
      costFactor: 131072,
      blockSize: 8,
      parallelism: 1,
      keyLength: 64,
    };
    expect((await native?.scrypt(o))?.length).toBe(64);
  });
});

describe('every backend hands PBKDF2 and scrypt to node:crypto', () => {
  it.each(['inline', 'pool'] as const)('%s backend', async (backend) => {
    const pbkdf2 = vi.spyOn(crypto, 'pbkdf2');
    const scrypt = vi.spyOn(crypto, 'scrypt');
    syncBuiltinESMExports();
    const hasher = await createPasswordHasher({
      backend,
      params: { memoryKiB: 1024, iterations: 1 },
    });
    try {
      const pbkdf2Hash = django.find((v) => v.format === 'django_pbkdf2_sha256');
      const scryptHash = django.find((v) => v.format === 'django_scrypt');
      expect(
        await verifyLegacyHash(pbkdf2Hash?.password ?? '', pbkdf2Hash?.stored ?? '', hasher.kdf),
      ).toBe(true);
      expect(
        await verifyLegacyHash(scryptHash?.password ?? '', scryptHash?.stored ?? '', hasher.kdf),
      ).toBe(true);
      expect(pbkdf2).toHaveBeenCalledTimes(1);
      expect(scrypt).toHaveBeenCalledTimes(1);
    } finally {
      await hasher.close();
    }
  });
});

describe('pool backend: legacy bcrypt never holds the argon2id workers', () => {
  it('an argon2id verification finishes while a slow bcrypt check still runs, with one argon2 worker', async () => {
    const hasher = await createPasswordHasher({
      backend: 'pool',
      poolSize: 1,
      params: { memoryKiB: 1024, iterations: 1 },
    });
    try {
      const phc = await hasher.hash('argon2 user');
      const order: string[] = [];
      // Cost 13: hundreds of milliseconds, against a few for the argon2id check. Before, both
      // shared the single worker and argon2id queued behind bcrypt.
      const bcrypt = hasher.kdf
        .bcryptVerify(utf8('x'), `$2b$13$${'a'.repeat(53)}`)
        .then(() => order.push('bcrypt'));
      const argon2 = hasher.verify('argon2 user', phc).then((ok) => order.push(`argon2 ${ok}`));
      await Promise.all([bcrypt, argon2]);
      expect(order).toEqual(['argon2 true', 'bcrypt']);
    } finally {
      await hasher.close();
    }
  });
});
