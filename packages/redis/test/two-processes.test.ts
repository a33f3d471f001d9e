import { memoryStorage } from '@portcullis/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedSessions, cachedStorage, redisStorage } from '../src/index.js';
import {
  connect,
  deleteKeys,
  HOUR,
  newSession,
  newUser,
  startTime,
  testPrefix,
  uid,
} from './helpers.js';

// Two clients, each with its own connection and its own stores, stand for two app processes.
const prefix = testPrefix('two-processes');
let a: Redis;
let b: Redis;
let connected = false;

beforeAll(async () => {
  [a, b] = await Promise.all([connect(), connect()]);
  connected = true;
});
afterAll(async () => {
  if (!connected) return;
  await deleteKeys(a, prefix);
  a.disconnect();
  b.disconnect();
});

describe('two processes sharing one Redis', () => {
  it('count hits on one rate-limit key exactly: 1 to 100, each once', async () => {
    const [one, two] = [redisStorage(a, { prefix }), redisStorage(b, { prefix })];
    const t = startTime();
    const key = uid('login:ip');
    const options = { limit: 10, windowMs: 60_000, now: t };
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).rateLimits.hit(key, options)),
    );
    const counts = results.map((r) => r.count).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(await one.rateLimits.peek(key, t)).toEqual({ count: 100, resetAt: t + 60_000 });
  });

  it('let one refresh win across processes: one rotated, every other racer reused', async () => {
    const [one, two] = [redisStorage(a, { prefix }), redisStorage(b, { prefix })];
    const t = startTime();
    const s = newSession(uid('user'), t, { refreshHash: 'h0' });
    await one.sessions.create(s);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? one : two).sessions.rotateRefresh(s.id, {
          expectedHash: 'h0',
          newHash: `h1-${i}`,
          now: t,
        }),
      ),
    );
    expect(results.filter((r) => r === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r === 'reused')).toHaveLength(19);
  });

  it('refuse, in the other process, a session revoked through a Redis session store', async () => {
    const [one, two] = [redisStorage(a, { prefix }), redisStorage(b, { prefix })];
    const t = startTime();
    const s = newSession(uid('user'), t);
    await one.sessions.create(s);
    expect(await two.sessions.get(s.id, t)).toEqual(s);
    await two.sessions.deleteByUser(s.userId);
    expect(await one.sessions.get(s.id, t)).toBeUndefined();
    expect(await one.sessions.touch(s.id, { now: t, idleExpiresAt: t + HOUR })).toBe('not_found');
  });

  it('refuse at once a session revoked through the other process’s cachedSessions', async () => {
    // The shared inner store stands for PostgreSQL; each process has its own cache client.
    const database = memoryStorage().sessions;
    const one = cachedSessions(a, database, { prefix });
    const two = cachedSessions(b, database, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    const other = newSession(s.userId, t + 1);
    await one.create(s);
    await one.create(other);
    // Both processes read (and so cache) both sessions.
    for (const store of [one, two]) {
      expect(await store.get(s.id, t)).toEqual(s);
      expect(await store.get(other.id, t)).toEqual(other);
    }
    await two.delete(s.id);
    expect(await one.get(s.id, t)).toBeUndefined();
    await one.deleteByUser(s.userId);
    expect(await two.get(other.id, t)).toBeUndefined();
    expect(await one.get(other.id, t)).toBeUndefined();
  });

  it('refuse at once a user disabled or a session revoked through the other process’s cachedStorage', async () => {
    // The shared inner storage stands for PostgreSQL; each process has its own cache client.
    const database = memoryStorage();
    const one = cachedStorage(a, database, { prefix });
    const two = cachedStorage(b, database, { prefix });
    const t = startTime();
    const user = newUser(t);
    expect(await one.users.create(user)).toBe('created');
    const s = newSession(user.id, t);
    const other = newSession(user.id, t + 1);
    await one.sessions.create(s);
    await one.sessions.create(other);
    // Both processes read (and so cache) both pairs.
    for (const store of [one, two]) {
      expect(await store.sessionWithUser?.(s.id, t)).toEqual({ session: s, user });
      expect(await store.sessionWithUser?.(other.id, t)).toEqual({ session: other, user });
    }
    expect(await one.users.update(user.id, { disabled: true, updatedAt: t + 1 })).toBe('updated');
    expect((await two.sessionWithUser?.(s.id, t))?.user?.disabled).toBe(true);
    expect((await two.sessionWithUser?.(other.id, t))?.user?.disabled).toBe(true);
    await two.sessions.delete(s.id);
    expect(await one.sessionWithUser?.(s.id, t)).toBeUndefined();
    expect(await one.sessions.get(s.id, t)).toBeUndefined();
    await two.users.delete(user.id);
    expect((await one.sessionWithUser?.(other.id, t))?.user).toBeUndefined();
  });

  it('consume one token once across processes', async () => {
    const [one, two] = [redisStorage(a, { prefix }), redisStorage(b, { prefix })];
    const t = startTime();
    const token = {
      purpose: 'email_verification',
      selector: uid('sel'),
      verifierHash: uid('verifier'),
      userId: uid('user'),
      expiresAt: t + HOUR,
      attempts: 0,
    };
    expect(await one.tokens.create(token)).toBe('created');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? one : two).tokens.consume(token.purpose, token.selector, {
          verifierHash: token.verifierHash,
          now: t,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'not_found')).toHaveLength(19);
  });
});
