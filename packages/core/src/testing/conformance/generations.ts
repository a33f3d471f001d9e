import { expect } from 'vitest';
import {
  type AddCheck,
  GENERATION,
  newDevice,
  newSession,
  newUser,
  startTime,
} from './fixtures.js';
import { live, lookup } from './session-with-user.js';

/**
 * Registers the check that stores keep each record's `credentialGeneration` as written: core
 * compares a session's (or device's) generation with its user's and decides, so a store that
 * "helpfully" moves sessions to the user's new generation would keep them alive after a
 * password change. Needs `users` and `sessions`; covers `twoFactor` and `sessionWithUser` when
 * they are there.
 */
export function generationChecks(check: AddCheck): void {
  check(
    'a user’s new credentialGeneration leaves its sessions’ and devices’ generations as stored',
    async (ctx) => {
      const storage = ctx.storage();
      const { users, sessions, twoFactor } = storage;
      const find = storage.sessionWithUser === undefined ? undefined : lookup(storage);
      const withDevices = ctx.stores.includes('twoFactor');
      const t = startTime();
      const user = newUser(t);
      expect(await users.create(user)).toBe('created');
      const current = newSession(user.id, t + 1);
      // A session of another generation (opened before a change): returned as stored, core refuses it.
      const older = newSession(user.id, t, { credentialGeneration: GENERATION - 2 });
      for (const s of [current, older]) await sessions.create(s);
      const device = newDevice(user.id, t);
      if (withDevices) await twoFactor.createTrustedDevice(device);
      expect(await sessions.get(older.id, t)).toEqual(older);
      // Looked up first, so a cache holds the pair when the user changes.
      if (find !== undefined)
        expect(await find(current.id, t)).toEqual({ session: live(current), user });

      const next = GENERATION + 2;
      const patch = { credentialGeneration: next, updatedAt: t + 2 };
      expect(await users.update(user.id, patch)).toBe('updated');
      expect((await users.getById(user.id))?.credentialGeneration).toBe(next);
      expect(await sessions.get(current.id, t)).toEqual(current);
      expect(await sessions.get(older.id, t)).toEqual(older);
      expect(await sessions.listByUser(user.id, t)).toEqual([current, older]);
      if (withDevices) expect(await twoFactor.getTrustedDevice(device.id, t)).toEqual(device);
      if (find !== undefined) {
        const changed = { ...user, ...patch };
        expect(await find(current.id, t)).toEqual({ session: live(current), user: changed });
        expect(await find(older.id, t)).toEqual({ session: live(older), user: changed });
      }
    },
  );
}
