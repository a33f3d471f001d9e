import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors/auth-error.js';
import { guardStorage } from '../../src/storage/guard.js';
import { memoryStorage } from '../../src/storage/memory/index.js';
import type { SessionStore, Storage } from '../../src/storage/types.js';

/** A connection error as node-postgres would throw it, with internals in its message. */
const driverError = () =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 (user=auth password=hunter2)'), {
    code: 'ECONNREFUSED',
  });

function withSessions(patch: Partial<SessionStore>): Storage {
  const base = memoryStorage();
  return { ...base, sessions: { ...base.sessions, ...patch } };
}

describe('guardStorage', () => {
  it('turns a rejected driver error into STORAGE_UNAVAILABLE, keeping the original as cause', async () => {
    const original = driverError();
    const storage = guardStorage(withSessions({ get: () => Promise.reject(original) }));
    const error = await storage.sessions.get('id', 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503, cause: original });
    // The driver's message (hosts, credentials) never reaches what a client sees.
    expect(JSON.stringify(error)).not.toContain('ECONNREFUSED');
    expect((error as AuthError).message).not.toContain('hunter2');
  });

  it('turns a synchronous throw and a thrown non-Error into STORAGE_UNAVAILABLE', async () => {
    const storage = guardStorage(
      withSessions({
        touch: () => {
          throw new TypeError('client is closed');
        },
        delete: () => Promise.reject('socket hang up'),
      }),
    );
    await expect(storage.sessions.touch('id', { now: 0, idleExpiresAt: 1 })).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      cause: new TypeError('client is closed'),
    });
    await expect(storage.sessions.delete('id')).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      cause: 'socket hang up',
    });
  });

  it('guards the optional sessionWithUser, and refuses one that is not a function', async () => {
    const original = driverError();
    const storage = guardStorage({
      ...memoryStorage(),
      sessionWithUser: () => Promise.reject(original),
    });
    await expect(storage.sessionWithUser?.('id', 0)).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      cause: original,
    });
    const broken = { ...memoryStorage(), sessionWithUser: 'nope' } as unknown as Storage;
    expect(() => guardStorage(broken)).toThrow(/storage\.sessionWithUser/);
    const { sessionWithUser: _omitted, ...plain } = memoryStorage();
    expect(guardStorage(plain).sessionWithUser).toBeUndefined();
  });

  it('lets an AuthError through unchanged', async () => {
    const original = new AuthError('CONFLICT');
    const storage = guardStorage(withSessions({ listByUser: () => Promise.reject(original) }));
    await expect(storage.sessions.listByUser('u', 0)).rejects.toBe(original);
  });

  it('passes arguments and results through, calling prototype methods on their own store', async () => {
    // A class-based store: its methods live on the prototype and need `this`.
    class ClassSessions implements SessionStore {
      readonly seen: unknown[][] = [];
      private readonly inner = memoryStorage().sessions;
      create: SessionStore['create'] = (s) => this.inner.create(s);
      async get(id: string, now: number) {
        this.seen.push([id, now]);
        return this.inner.get(id, now);
      }
      touch: SessionStore['touch'] = (id, o) => this.inner.touch(id, o);
      rotateRefresh: SessionStore['rotateRefresh'] = (id, o) => this.inner.rotateRefresh(id, o);
      markFresh: SessionStore['markFresh'] = (id, o) => this.inner.markFresh(id, o);
      listByUser: SessionStore['listByUser'] = (id, now) => this.inner.listByUser(id, now);
      delete: SessionStore['delete'] = (id) => this.inner.delete(id);
      deleteByUser: SessionStore['deleteByUser'] = (id, o) => this.inner.deleteByUser(id, o);
    }
    const sessions = new ClassSessions();
    const storage = guardStorage({ ...memoryStorage(), sessions });
    expect(await storage.sessions.get('abc', 42)).toBeUndefined();
    expect(sessions.seen).toEqual([['abc', 42]]);
    const hit = await storage.rateLimits.hit('k', { limit: 1, windowMs: 10, now: 5 });
    expect(hit).toEqual({ count: 1, allowed: true, resetAt: 15 });
  });

  it('refuses a storage with a missing store or method: CONFIG_INVALID naming it', () => {
    const base = memoryStorage();
    const { touch: _touch, ...noTouch } = base.sessions;
    const broken = { ...base, sessions: noTouch, audit: undefined } as unknown as Storage;
    const error = (() => {
      try {
        guardStorage(broken);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as AuthError).details?.map((d) => d.path)).toEqual([
      'storage.sessions.touch',
      'storage.audit',
    ]);
  });

  it('guards the stores inside a transaction and wraps failures of the transaction itself', async () => {
    const base = memoryStorage();
    const failing = withSessions({ get: () => Promise.reject(driverError()) });
    const storage = guardStorage({ ...base, transaction: (fn) => fn(failing) });
    await expect(storage.transaction?.((tx) => tx.sessions.get('id', 0))).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
    });
    const broken = guardStorage({ ...base, transaction: () => Promise.reject(driverError()) });
    await expect(broken.transaction?.(async () => 1)).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
    });
  });

  it('rethrows what the transaction’s callback throws, unchanged', async () => {
    const base = memoryStorage();
    const storage = guardStorage({ ...base, transaction: (fn) => fn(base) });
    const flowError = new AuthError('TOKEN_INVALID');
    await expect(storage.transaction?.(() => Promise.reject(flowError))).rejects.toBe(flowError);
    expect(await storage.transaction?.(async (tx) => tx.users.getById('none'))).toBeUndefined();
  });

  it('has no transaction when the storage has none, and guards a storage once', () => {
    const storage = guardStorage(memoryStorage());
    expect(storage.transaction).toBeUndefined();
    expect(guardStorage(storage)).toBe(storage);
  });
});
