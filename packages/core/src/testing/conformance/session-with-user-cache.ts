import { expect } from 'vitest';
import type { SessionRecord } from '../../storage/types/sessions.js';
import {
  type AddCheck,
  type ConformanceContext,
  GENERATION,
  HOUR,
  macrotasks,
  microtasks,
  newSession,
  newUser,
  startTime,
} from './fixtures.js';
import { live, lookup } from './session-with-user.js';

/** A user with one session, created through the storage; skips when it has no sessionWithUser. */
async function signedIn(ctx: ConformanceContext, overrides: (t: number) => Partial<SessionRecord>) {
  const storage = ctx.storage();
  if (storage.sessionWithUser === undefined) ctx.skip('this storage has no sessionWithUser');
  const t = startTime();
  const user = newUser(t);
  expect(await storage.users.create(user)).toBe('created');
  const session = newSession(user.id, t, overrides(t));
  await storage.sessions.create(session);
  return { storage, find: lookup(storage), t, user, session };
}

/** A found pair as a careless caller treats it. */
type Mutable = {
  session: { amr: string[]; credentialGeneration: number };
  user: { metadata: { plan: string }; disabled: boolean; credentialGeneration: number };
};

/**
 * Registers the checks of `sessionWithUser` that a cache in front of it gets wrong most
 * easily: the absolute expiry of a copy, copies shared between callers, a write it forgets to
 * drop the copy for, and a fill that raced a write.
 */
export function sessionWithUserCacheChecks(check: AddCheck): void {
  check(
    'finds nothing from the absolute expiry on, even for a session it just found',
    async (ctx) => {
      const { find, t, user, session } = await signedIn(ctx, (now) => ({
        idleExpiresAt: now + 2 * HOUR,
        absoluteExpiresAt: now + HOUR,
      }));
      expect(await find(session.id, t)).toEqual({ session: live(session), user });
      expect(await find(session.id, t + HOUR - 1)).toEqual({ session: live(session), user });
      expect(await find(session.id, t + HOUR)).toBeUndefined();
      expect(await find(session.id, t + HOUR + 1)).toBeUndefined();
    },
  );

  check(
    'returns copies: mutating a found session or user changes neither the store nor the next answer',
    async (ctx) => {
      const { storage, find, t, user, session } = await signedIn(ctx, () => ({}));
      for (let i = 0; i < 2; i += 1) {
        const found = (await find(session.id, t)) as unknown as Mutable;
        found.session.amr.push('mutated');
        found.session.credentialGeneration = 1;
        found.user.metadata.plan = 'mutated';
        found.user.disabled = true;
        found.user.credentialGeneration = 1;
      }
      expect(await find(session.id, t)).toEqual({ session: live(session), user });
      expect(await storage.sessions.get(session.id, t)).toEqual(session);
      expect(await storage.users.getById(user.id)).toEqual(user);
    },
  );

  check(
    'sees a rotateRefresh: the refresh hash found after a rotation is the new one',
    async (ctx) => {
      const { storage, find, t, session } = await signedIn(ctx, () => ({ refreshHash: 'h0' }));
      expect((await find(session.id, t))?.session.refreshHash).toBe('h0');
      const rotation = { expectedHash: 'h0', newHash: 'h1', now: t + 1 };
      expect(await storage.sessions.rotateRefresh(session.id, rotation)).toBe('rotated');
      const found = await find(session.id, t + 2);
      expect(found?.session.refreshHash).toBe('h1');
      expect(found?.session).toEqual(live(await storage.sessions.get(session.id, t + 2)));
    },
  );

  check(
    'never keeps a user read that raced a users.update: the next lookup sees the update',
    async (ctx) => {
      const next = GENERATION + 2;
      // The update lands after 0 to 5 turns of the microtask queue (an in-process cache) or of
      // the event loop (one with round trips), so some land while a lookup is filling its copy.
      for (const wait of [microtasks, macrotasks]) {
        for (let turns = 0; turns < 6; turns += 1) {
          const { storage, find, t, user, session } = await signedIn(ctx, () => ({}));
          const patch = { credentialGeneration: next, firstName: 'Raced', updatedAt: t + 1 };
          const [raced] = await Promise.all([
            find(session.id, t),
            wait(turns).then(() => storage.users.update(user.id, patch)),
          ]);
          // The raced lookup saw the user before or after the update, whole.
          const seen = raced?.user;
          expect(seen).toEqual(seen?.credentialGeneration === next ? { ...user, ...patch } : user);
          const after = await find(session.id, t + 2);
          expect(after?.user, `${wait.name}(${turns})`).toEqual({ ...user, ...patch });
          expect(after?.session).toEqual(live(session));
        }
      }
    },
  );
}
