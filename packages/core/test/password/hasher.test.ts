import { argon2id } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  argon2NeedsRehash,
  DEFAULT_ARGON2_PARAMS,
  parseArgon2Phc,
} from '../../src/password/argon2-params.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/password/hasher.js';
import { KdfWorkerPool } from '../../src/password/worker-pool.js';

// The hasher's own tests run at the real default parameters (m = 19456 KiB, t = 2, p = 1).
let inline: PasswordHasher;
let pool: PasswordHasher;
let native: PasswordHasher;

beforeAll(async () => {
  [inline, pool, native] = await Promise.all([
    createPasswordHasher({ backend: 'inline' }),
    createPasswordHasher({ backend: 'pool', poolSize: 2 }),
    createPasswordHasher({ backend: 'native' }),
  ]);
});
afterAll(async () => {
  await Promise.all([inline.close(), pool.close(), native.close()]);
});

describe('argon2id hasher backends', () => {
  it('auto picks @node-rs/argon2 when it is installed, and says so', async () => {
    const auto = await createPasswordHasher();
    expect(auto.backend).toBe('native');
    await auto.close();
    expect([inline.backend, pool.backend, native.backend]).toEqual(['inline', 'pool', 'native']);
  });

  it('every backend writes argon2id v=19 PHC strings at m=19456, t=2, p=1', async () => {
    for (const hasher of [inline, pool, native]) {
      const phc = await hasher.hash('correct horse battery staple');
      expect(parseArgon2Phc(phc)).toEqual({
        variant: 'argon2id',
        version: 19,
        memoryKiB: 19_456,
        iterations: 2,
        parallelism: 1,
        saltLength: 16,
        hashLength: 32,
      });
      expect(hasher.needsRehash(phc)).toBe(false);
    }
  });

  it('hashes made by each backend verify with every other backend (cross-wise)', async () => {
    const password = 'pässwörd ☃ 🔐';
    const hashes = await Promise.all([inline, pool, native].map((h) => h.hash(password)));
    for (const phc of hashes) {
      for (const verifier of [inline, pool, native]) {
        expect(await verifier.verify(password, phc)).toBe(true);
        expect(await verifier.verify('pässwörd ☃ 🔑', phc)).toBe(false);
      }
    }
  });

  it('salts every hash: one password, different hashes', async () => {
    const [a, b] = await Promise.all([pool.hash('same'), pool.hash('same')]);
    expect(a).not.toBe(b);
  });

  it('verify never accepts a malformed hash, on every backend', async () => {
    for (const hasher of [inline, pool, native]) {
      for (const bad of ['', '$argon2id$', '$argon2id$v=19$m=19456,t=2,p=1$AAAA$', 'not a hash']) {
        // A backend may reject on a malformed hash (verifyPassword treats that as a mismatch),
        // but must never accept one.
        expect(await hasher.verify('x', bad).catch(() => false)).toBe(false);
      }
    }
  });
});

describe('worker pool', () => {
  it('runs more tasks than workers, queueing the rest, and answers each correctly', async () => {
    const small = await createPasswordHasher({
      backend: 'pool',
      poolSize: 1,
      params: { memoryKiB: 1024, iterations: 1 },
    });
    const passwords = Array.from({ length: 6 }, (_, i) => `pw-${i}`);
    const hashes = await Promise.all(passwords.map((p) => small.hash(p)));
    const checks = await Promise.all(
      hashes.map((h, i) => small.verify(passwords[(i + 1) % 6] as string, h)),
    );
    expect(checks).toEqual([false, false, false, false, false, false]);
    expect(
      await Promise.all(hashes.map((h, i) => small.verify(passwords[i] as string, h))),
    ).toEqual(Array(6).fill(true));
    await small.close();
  });

  it('native workers run @node-rs/argon2 at a lower priority than the event loop (Linux)', async () => {
    const niced = new KdfWorkerPool({ native: true, nice: 10, size: 1 });
    const plain = new KdfWorkerPool({ native: true, size: 1 });
    try {
      if (process.platform === 'linux') {
        expect(await niced.workerPriority()).toBe(10);
        expect(await plain.workerPriority()).toBe(0);
      }
      // The native worker's hashes are argon2id PHC strings that hash-wasm's verify accepts,
      // and a malformed hash is a mismatch, not an error.
      const salt = new Uint8Array(16).fill(7);
      const params = { ...DEFAULT_ARGON2_PARAMS, memoryKiB: 1024, iterations: 1 };
      const phc = await niced.argon2idHash('pw', salt, params);
      expect(phc).toBe(
        await argon2id({
          password: 'pw',
          salt,
          iterations: 1,
          parallelism: params.parallelism,
          memorySize: 1024,
          hashLength: params.hashLength,
          outputType: 'encoded',
        }),
      );
      expect(await niced.argon2Verify('pw', phc)).toBe(true);
      expect(await niced.argon2Verify('wrong', phc)).toBe(false);
      expect(await niced.argon2Verify('pw', '$argon2id$v=19$garbage')).toBe(false);
    } finally {
      await Promise.all([niced.close(), plain.close()]);
    }
  });

  it('rejects work after close', async () => {
    const p = await createPasswordHasher({ backend: 'pool', poolSize: 1 });
    await p.close();
    await expect(p.hash('x')).rejects.toThrow(/closed/);
  });

  it('runs the legacy primitives off the main thread too', async () => {
    const key = await pool.kdf.pbkdf2({
      password: 'password',
      salt: 'salt',
      iterations: 1,
      keyLength: 32,
      digest: 'sha256',
    });
    // RFC 7914 section 11 / well-known PBKDF2-HMAC-SHA256 vector (c = 1).
    expect(Buffer.from(key).toString('hex')).toBe(
      '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b',
    );
  });
});

describe('needsRehash', () => {
  const base = DEFAULT_ARGON2_PARAMS;
  const make = (o: { m?: number; t?: number; p?: number; variant?: string }) =>
    `$${o.variant ?? 'argon2id'}$v=19$m=${o.m ?? 19456},t=${o.t ?? 2},p=${o.p ?? 1}$c2FsdHNhbHRzYWx0c2FsdA$${'A'.repeat(43)}`;

  it('is false at the current parameters', () => {
    expect(argon2NeedsRehash(make({}), base)).toBe(false);
  });

  it.each([
    ['older memory cost', { m: 4096 }],
    ['fewer iterations', { t: 1 }],
    ['other parallelism', { p: 4 }],
    ['argon2i variant', { variant: 'argon2i' }],
  ])('is true for %s', (_name, o) => {
    expect(argon2NeedsRehash(make(o), base)).toBe(true);
  });

  it('is true for a hash from a library with a shorter output, and for non-argon2 strings', async () => {
    const short = await argon2id({
      password: 'x',
      salt: new Uint8Array(16),
      iterations: 2,
      parallelism: 1,
      memorySize: 19456,
      hashLength: 16,
      outputType: 'encoded',
    });
    expect(argon2NeedsRehash(short, base)).toBe(true);
    expect(argon2NeedsRehash('$2b$10$abcdefghijklmnopqrstuu', base)).toBe(true);
  });
});
