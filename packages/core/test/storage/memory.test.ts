import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/storage/memory/index.js';
import { describeStorageConformance } from '../../src/testing/conformance/index.js';

describeStorageConformance('memoryStorage', () => memoryStorage());

describe('memoryStorage', () => {
  it('has no transaction: it cannot roll back', () => {
    expect(memoryStorage().transaction).toBeUndefined();
  });

  it('keeps separate state per instance', async () => {
    const [a, b] = [memoryStorage(), memoryStorage()];
    await a.rateLimits.hit('k', { limit: 1, windowMs: 1000, now: 0 });
    expect(await b.rateLimits.peek('k', 0)).toBeUndefined();
  });

  it('purgeExpired drops only records dead at the given time', async () => {
    const storage = memoryStorage();
    const base = {
      userId: 'u',
      previousRefreshHashes: [],
      createdAt: 0,
      lastSeenAt: 0,
      freshUntil: 0,
      amr: [],
      credentialGeneration: 0,
    };
    await storage.sessions.create({
      ...base,
      id: 'dead',
      idleExpiresAt: 100,
      absoluteExpiresAt: 1000,
    });
    await storage.sessions.create({
      ...base,
      id: 'live',
      idleExpiresAt: 500,
      absoluteExpiresAt: 1000,
    });
    await storage.tokens.create({
      purpose: 'p',
      selector: 's',
      verifierHash: 'v',
      userId: 'u',
      expiresAt: 100,
      attempts: 0,
    });
    await storage.rateLimits.hit('k', { limit: 1, windowMs: 100, now: 0 });
    await storage.rateLimits.lock('k', { untilMs: 500 });
    storage.purgeExpired(100);
    // Asked about an earlier time, purged records are gone: purging is garbage collection.
    expect(await storage.sessions.get('dead', 0)).toBeUndefined();
    expect(await storage.sessions.get('live', 0)).toBeDefined();
    expect(await storage.tokens.get('p', 's', 0)).toBeUndefined();
    expect(await storage.rateLimits.peek('k', 0)).toBeUndefined();
    expect(await storage.rateLimits.lockedUntil('k', 0)).toBe(500);
  });
});
