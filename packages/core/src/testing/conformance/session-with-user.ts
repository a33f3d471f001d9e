import { expect } from 'vitest';
import type { LiveSessionRecord, Storage } from '../../storage/types.js';
import {
  type AddCheck,
  type ConformanceContext,
  expectSameKeys,
  HOUR,
  newSession,
  newUser,
  startTime,
  uid,
} from './fixtures.js';

/**
 * The storage's `sessionWithUser`, which the checks below need (the caller has checked it),
 * its sessions without `previousRefreshHashes`, which the contract lets it leave out.
 */
export function lookup(storage: Storage): NonNullable<Storage['sessionWithUser']> {
  const fn = storage.sessionWithUser;
  if (fn === undefined) throw new Error('describeStorageConformance: no sessionWithUser');
  return async (id, now) => {
    const found = await fn.call(storage, id, now);
    return found && { session: live(found.session), user: found.user };
  };
}

/** `session` without its replaced refresh hashes, as `sessionWithUser` may answer it. */
export function live<T extends LiveSessionRecord | undefined>(
  session: T,
): T extends undefined ? undefined : LiveSessionRecord {
  if (session === undefined) return undefined as never;
  const { previousRefreshHashes: _left, ...rest } = session as LiveSessionRecord & {
    previousRefreshHashes?: unknown;
  };
  return rest as never;
}

/**
 * Registers the checks of the optional `sessionWithUser`: it answers exactly what
 * `sessions.get` and `users.getById` answer, after every kind of write through the storage
 * (which is what a cache in front of it must also get right). Needs `users` and `sessions`.
 */
export function sessionWithUserChecks(check: AddCheck): void {
  const setup = async (ctx: ConformanceContext) => {
    const storage = ctx.storage();
    if (storage.sessionWithUser === undefined) ctx.skip('this storage has no sessionWithUser');
    const t = startTime();
    const user = newUser(t);
    expect(await storage.users.create(user)).toBe('created');
    const session = newSession(user.id, t);
    await storage.sessions.create(session);
    return { storage, find: lookup(storage), t, user, session };
  };

  check('finds a live session with its user, nothing for unknown or dead ones', async (ctx) => {
    const { find, t, user, session } = await setup(ctx);
    expect(await find(session.id, t)).toEqual({ session: live(session), user });
    // Asked twice (a cache answers the second time): the same answer.
    expect(await find(session.id, t + 1)).toEqual({ session: live(session), user });
    expect(await find(uid('missing'), t)).toBeUndefined();
    expect(await find(session.id, t + HOUR)).toBeUndefined();
  });

  check('sees every write through users: profile, disabling, TOTP step, deletion', async (ctx) => {
    const { storage, find, t, user, session } = await setup(ctx);
    await find(session.id, t);
    const patch = { firstName: 'Renamed', disabled: true, updatedAt: t + 1 };
    expect(await storage.users.update(user.id, patch)).toBe('updated');
    expect((await find(session.id, t + 2))?.user).toEqual(await storage.users.getById(user.id));
    expect((await find(session.id, t + 2))?.user?.disabled).toBe(true);

    const totp = {
      encryptedSecret: 'opaque',
      algorithm: 'sha1' as const,
      digits: 6,
      periodSeconds: 30,
      t0: 0,
    };
    await storage.users.update(user.id, { totp, updatedAt: t + 3 });
    await find(session.id, t + 4);
    expect(await storage.users.advanceTotpStep(user.id, 7)).toBe('advanced');
    expect((await find(session.id, t + 5))?.user?.totp?.lastUsedStep).toBe(7);

    // The user's sessions may go with it (a foreign key) or stay behind without a user.
    await storage.users.delete(user.id);
    expect((await find(session.id, t + 6))?.user).toBeUndefined();
  });

  check('carries the user’s roles, and sees them replaced and removed', async (ctx) => {
    const { storage, find, t, user, session } = await setup(ctx);
    const roles = { roles: ['admin', 'support'], updatedAt: t + 1 };
    expect(await storage.users.update(user.id, roles)).toBe('updated');
    expect((await find(session.id, t + 2))?.user).toEqual({ ...user, ...roles });
    expect(await storage.users.update(user.id, { roles: ['support'], updatedAt: t + 3 })).toBe(
      'updated',
    );
    expect((await find(session.id, t + 4))?.user?.roles).toEqual(['support']);
    expect(await storage.users.update(user.id, { roles: [], updatedAt: t + 5 })).toBe('updated');
    const found = (await find(session.id, t + 6))?.user;
    expect(found).toEqual({ ...user, updatedAt: t + 5 });
    expectSameKeys(found, user, 'sessionWithUser user without roles');
  });

  check('sees every write through sessions: touch, freshness, revocation', async (ctx) => {
    const { storage, find, t, session } = await setup(ctx);
    await find(session.id, t);
    const idleExpiresAt = t + 2 * HOUR;
    expect(await storage.sessions.touch(session.id, { now: t + 10, idleExpiresAt })).toBe(
      'touched',
    );
    expect((await find(session.id, t + 11))?.session).toEqual(
      live(await storage.sessions.get(session.id, t + 11)),
    );
    expect(await storage.sessions.markFresh(session.id, { freshUntil: t + 99, now: t + 12 })).toBe(
      'updated',
    );
    expect((await find(session.id, t + 13))?.session.freshUntil).toBe(t + 99);
    await storage.sessions.deleteByUser(session.userId, {});
    expect(await find(session.id, t + 14)).toBeUndefined();
  });

  check('answers concurrent lookups alike, and a revocation between them wins', async (ctx) => {
    const { storage, find, t, session } = await setup(ctx);
    const answers = await Promise.all(Array.from({ length: 10 }, () => find(session.id, t)));
    for (const answer of answers) expect(answer?.session.id).toBe(session.id);
    await storage.sessions.delete(session.id);
    const after = await Promise.all(Array.from({ length: 10 }, () => find(session.id, t)));
    expect(after.every((a) => a === undefined)).toBe(true);
  });
}
