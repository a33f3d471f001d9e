/**
 * Issue 15: legacy verifications go through a bounded queue of their own (K running, Q
 * waiting, the next refused with `RATE_LIMITED`), and argon2id never waits behind them.
 * Legacy work is held open with promises the test controls: no sleeps, no timing.
 */
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/encoding.js';
import { AuthError } from '../../src/errors/auth-error.js';
import { errorResponse } from '../../src/http/index.js';
import type { PasswordHasher } from '../../src/password/hasher.js';
import type { KdfPrimitives } from '../../src/password/kdf.js';
import { LegacyQueue } from '../../src/password/legacy-queue.js';
import { createPasswordVerifier } from '../../src/password/verifier.js';
import { cheapHasher, setup } from '../flows/helpers.js';
import { addUser } from './legacy-helpers.js';

const PBKDF2 = `pbkdf2_sha256$1000$somesalt$${toBase64(new Uint8Array(32).fill(7))}`;

/** A real cheap argon2id hasher whose PBKDF2 runs stay open until `release()`. */
async function heldHasher() {
  const inner = await cheapHasher();
  const open: (() => void)[] = [];
  let started = 0;
  const kdf: KdfPrimitives = {
    ...inner.kdf,
    pbkdf2: (o) => {
      started++;
      return new Promise((resolve) => open.push(() => resolve(new Uint8Array(o.keyLength))));
    },
  };
  const hasher: PasswordHasher = { ...inner, kdf, backend: inner.backend };
  const release = () => {
    for (const done of open.splice(0)) done();
  };
  return { hasher, release, started: () => started };
}

function rateLimited(error: unknown) {
  return (
    error instanceof AuthError && error.code === 'RATE_LIMITED' && error.retryAfterSeconds === 1
  );
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LegacyQueue', () => {
  it('runs K at once, lets Q wait, refuses the next with RATE_LIMITED', async () => {
    const queue = new LegacyQueue({ concurrency: 2, maxWaiting: 3 });
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        gates.push(() => {
          running--;
          resolve();
        });
      });
    const admitted = Array.from({ length: 5 }, () => queue.admit()(task));
    await tick();
    expect(running).toBe(2);
    expect(() => queue.admit()).toThrow(AuthError);
    let refused: unknown;
    try {
      queue.admit();
    } catch (error) {
      refused = error;
    }
    expect(rateLimited(refused)).toBe(true);
    // One finishes: its place goes to a waiter, never above K.
    gates.shift()?.();
    await tick();
    expect(running).toBe(2);
    while (gates.length > 0) {
      for (const open of gates.splice(0)) open();
      await tick();
    }
    await Promise.all(admitted);
    expect(most).toBe(2);
    // Drained: admits again.
    await queue.admit()(async () => {});
  });

  it('a task that throws gives its place back', async () => {
    const queue = new LegacyQueue({ concurrency: 1, maxWaiting: 0 });
    await expect(queue.admit()(() => Promise.reject(new Error('kdf died')))).rejects.toThrow(
      'kdf died',
    );
    await expect(queue.admit()(async () => 'ok')).resolves.toBe('ok');
  });
});

describe('legacy verifications are bounded; argon2id is not held by them', () => {
  it('K = 1 running, Q = 2 waiting, the fourth legacy check refused; argon2id still completes', async () => {
    const { hasher, release, started } = await heldHasher();
    const verifier = createPasswordVerifier({
      hasher,
      queue: new LegacyQueue({ concurrency: 1, maxWaiting: 2 }),
    });
    const legacy = [1, 2, 3].map(() => verifier.verify('guess', PBKDF2));
    await tick();
    expect(started()).toBe(1);
    await expect(verifier.verify('guess', PBKDF2)).rejects.toSatisfy(rateLimited);
    // While the queue is full: an argon2id account signs in, an unknown one costs its dummy.
    const phc = await hasher.hash('argon2 password');
    await expect(verifier.verify('argon2 password', phc)).resolves.toEqual({
      valid: true,
      needsRehash: false,
    });
    await expect(verifier.dummy('whatever')).resolves.toBeUndefined();
    while (started() < 3) {
      release();
      await tick();
    }
    release();
    expect(await Promise.all(legacy)).toEqual(Array(3).fill({ valid: false, needsRehash: false }));
  });

  it('through sign-in: a full queue answers RATE_LIMITED (429 with the contract body), never 500', async () => {
    const { hasher, release, started } = await heldHasher();
    const { auth, storage } = await setup({
      password: { hasher, legacyQueue: { concurrency: 1, maxWaiting: 0 } },
    });
    await addUser(storage, 'old@example.com', PBKDF2);
    const first = auth.login({ identifier: 'old@example.com', password: 'wrong one' });
    while (started() === 0) await tick();
    let refused: unknown;
    await auth.login({ identifier: 'old@example.com', password: 'wrong two' }).catch((e) => {
      refused = e;
    });
    expect(rateLimited(refused)).toBe(true);
    const response = errorResponse(refused);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Too many attempts. Try again later.' },
    });
    release();
    await expect(first).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });
});
