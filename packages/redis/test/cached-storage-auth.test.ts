import { type Auth, createAuth, memoryMailer, memoryStorage, silentLogger } from '@portcullis/core';
import { createPasswordHasher, type PasswordHasher } from '@portcullis/core/password';
import { guardStorage, type Storage } from '@portcullis/core/storage';
import { freePort } from '@portcullis-tests/support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedStorage, failFastOptions } from '../src/index.js';
import { connect, deleteKeys, recordCommands, startTime, testPrefix, uid } from './helpers.js';

// Core over cachedStorage: what validateSession costs on a hit, what another process sees
// after a write, and what a caller sees when Redis is down.
const prefix = testPrefix('cached-storage-auth');
const PASSWORD = 'violet tangerine orbit';
let a: Redis;
let b: Redis;
let hasher: PasswordHasher;
let connected = false;

beforeAll(async () => {
  [a, b] = await Promise.all([connect(), connect()]);
  connected = true;
  hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
});
afterAll(async () => {
  if (!connected) return;
  await deleteKeys(a, prefix);
  a.disconnect();
  b.disconnect();
});

/** A core `Auth` over `storage`, as one app process would have it. */
function authOver(storage: Storage): Auth {
  return createAuth({
    storage,
    mailer: memoryMailer({ appUrl: 'https://app.example.com' }),
    appUrl: 'https://app.example.com',
    secret: 'redis-tests-secret-0123456789abcdef',
    emailVerification: { required: false },
    password: { hasher },
    logger: silentLogger,
  });
}

/** Registers and signs in a new user on `auth`: its id, the session id and the cookie token. */
async function signUpAndIn(auth: Auth) {
  const email = `${uid('user').toLowerCase()}@example.test`;
  await auth.register({ email, password: PASSWORD });
  const result = await auth.login({ identifier: email, password: PASSWORD });
  if (result.status !== 'signed_in' || result.tokens.strategy !== 'cookie') {
    throw new Error(`expected a cookie sign-in, got ${result.status}`);
  }
  return {
    userId: result.user.id,
    sessionId: result.session.id,
    token: result.tokens.sessionToken,
  };
}

describe('createAuth over cachedStorage', () => {
  it('validates a cached session with exactly one Redis GET', async () => {
    const counted = await connect();
    try {
      const auth = authOver(cachedStorage(counted, memoryStorage(), { prefix }));
      const { userId, sessionId, token } = await signUpAndIn(auth);
      expect((await auth.validateSession(token)).user.id).toBe(userId); // fills the cache
      const commands = recordCommands(counted);
      for (let i = 0; i < 3; i += 1) {
        expect((await auth.validateSession(token)).user.id).toBe(userId);
      }
      const get = ['get', `${prefix}cache:pair:${sessionId}`];
      expect(commands.log).toEqual([get, get, get]);
      await auth.close();
    } finally {
      counted.disconnect();
    }
  });

  it('refuses at once, in another process, a user disabled or a session revoked through one', async () => {
    // One database (the shared inner storage), two processes with a Redis client each.
    const database = memoryStorage();
    const [one, two] = [a, b].map((client) => cachedStorage(client, database, { prefix }));
    if (one === undefined || two === undefined) throw new Error('two storages');
    const [authOne, authTwo] = [authOver(one), authOver(two)];
    const first = await signUpAndIn(authOne);
    const second = await signUpAndIn(authOne);
    for (const auth of [authOne, authTwo]) {
      for (const { token } of [first, second]) await auth.validateSession(token); // both cached
    }
    // An admin disables the first user through process one.
    const updated = await one.users.update(first.userId, {
      disabled: true,
      updatedAt: startTime(),
    });
    expect(updated).toBe('updated');
    await expect(authTwo.validateSession(first.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    // The second user signs out of their session through process two.
    // Their own session (`sessionId`): a sign-out, which needs no step-up.
    await authTwo.sessions.revoke(second.userId, second.sessionId, {
      sessionId: second.sessionId,
    });
    await expect(authOne.validateSession(second.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await Promise.all([authOne.close(), authTwo.close()]);
  });
});

describe('cachedStorage with Redis down', () => {
  it('rejects every cached call, which core answers with STORAGE_UNAVAILABLE', async () => {
    // A fail-fast client of a port nobody listens on: every command rejects at once.
    const down = new Redis({
      host: '127.0.0.1',
      port: await freePort(),
      lazyConnect: true,
      retryStrategy: () => null,
      ...failFastOptions({ connectTimeoutMs: 500 }),
    });
    down.on('error', () => undefined);
    try {
      const database = memoryStorage();
      const up = cachedStorage(a, database, { prefix });
      const { userId, sessionId, token } = await signUpAndIn(authOver(up));

      const cache = cachedStorage(down, database, { prefix });
      await expect(cache.sessionWithUser?.(sessionId, startTime())).rejects.toThrow();
      const guarded = guardStorage(cache);
      const unavailable = { code: 'STORAGE_UNAVAILABLE' };
      await expect(guarded.sessionWithUser?.(sessionId, startTime())).rejects.toMatchObject(
        unavailable,
      );
      await expect(guarded.sessions.get(sessionId, startTime())).rejects.toMatchObject(unavailable);
      // The write reached the inner storage; its invalidation could not, so the call fails.
      await expect(
        guarded.users.update(userId, { firstName: 'Ada', updatedAt: startTime() }),
      ).rejects.toMatchObject(unavailable);
      expect((await database.users.getById(userId))?.firstName).toBe('Ada');

      // Never "no such session": the caller of validateSession sees the outage.
      const auth = authOver(cache);
      await expect(auth.validateSession(token)).rejects.toMatchObject(unavailable);
      await auth.close();
    } finally {
      down.disconnect();
    }
  });
});
