import { afterEach, describe, expect, it, vi } from 'vitest';

// This file runs as if the application had not installed @node-rs/argon2.
vi.mock('../../src/password/native.js', () => ({ loadNativeArgon2: async () => undefined }));

const { createPasswordHasher } = await import('../../src/password/hasher.js');
const { KdfWorkerPool } = await import('../../src/password/worker-pool.js');
const { createDummyVerifier } = await import('../../src/password/dummy.js');

const small = { memoryKiB: 1024, iterations: 1 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('backend choice without @node-rs/argon2', () => {
  it('auto falls back to the worker pool', async () => {
    const hasher = await createPasswordHasher({ params: small });
    expect(hasher.backend).toBe('pool');
    expect(await hasher.verify('pw', await hasher.hash('pw'))).toBe(true);
    await hasher.close();
  });

  it('auto falls back to inline hashing where worker threads do not exist', async () => {
    vi.spyOn(KdfWorkerPool, 'available').mockResolvedValue(false);
    const hasher = await createPasswordHasher({ params: small });
    expect(hasher.backend).toBe('inline');
    expect(await hasher.verify('pw', await hasher.hash('pw'))).toBe(true);
  });

  it('refuses backend "native" with a message naming the missing package', async () => {
    await expect(createPasswordHasher({ backend: 'native' })).rejects.toThrow('@node-rs/argon2');
  });
});

describe('dummy verification for unknown users', () => {
  it('spends one real verification per call, against a hash made once', async () => {
    const hasher = await createPasswordHasher({ backend: 'inline', params: small });
    const hash = vi.spyOn(hasher, 'hash');
    const verify = vi.spyOn(hasher, 'verify');
    const dummy = createDummyVerifier(hasher);
    await dummy('guess-1');
    await dummy('guess-2');
    expect(hash).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify.mock.calls.map((c) => c[0])).toEqual(['guess-1', 'guess-2']);
    expect(await verify.mock.results[0]?.value).toBe(false);
  });
});
