import { expect } from 'vitest';
import type { UserRecord, UserStore } from '../../storage/types/users.js';
import { type AddCheck, expectSameKeys, newUser, startTime } from './fixtures.js';
import { createAll, freshPrefix } from './users-list-fixtures.js';

/** `user` without its roles: what a user with none reads back as. */
function withoutRoles(user: UserRecord): UserRecord {
  const { roles: _roles, ...rest } = user;
  return rest;
}

/** Every way to read one user back: the three lookups and a page of `list` (by its email). */
function reads(users: UserStore, user: UserRecord): (() => Promise<UserRecord | undefined>)[] {
  return [
    () => users.getById(user.id),
    () => users.getByEmail(user.emailNormalized),
    () => users.getByUsername(user.usernameNormalized ?? ''),
    async () => {
      const page = await users.list({ prefix: user.emailNormalized, limit: 2 });
      expect(page, 'users.list by the whole normalized email').toHaveLength(1);
      return page[0];
    },
  ];
}

/** A roles array as a careless caller treats it. */
const mutable = (roles: readonly string[] | undefined) => roles as string[];

/**
 * Registers the checks of users' `roles`: kept as given, replaced whole by a patch, absent
 * when there are none (whether never set or set to `[]`), and copied in and out.
 */
export function userRoleChecks(check: AddCheck): void {
  check(
    'roles: keeps them as given, order too, through create, every lookup and list',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime(), {
        emailNormalized: `${freshPrefix()}@example.test`,
        roles: ['support', 'admin', 'billing'],
      });
      await createAll(users, user);
      for (const read of reads(users, user)) {
        const found = await read();
        expect(found).toEqual(user);
        expect(found?.roles).toEqual(['support', 'admin', 'billing']);
      }
    },
  );

  check(
    'roles: update replaces them whole; [] removes them; a patch without roles keeps them',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const user = newUser(t, { roles: ['admin', 'support'] });
      await createAll(users, user);
      expect(await users.update(user.id, { roles: ['billing'], updatedAt: t + 1 })).toBe('updated');
      expect((await users.getById(user.id))?.roles).toEqual(['billing']);
      expect(await users.update(user.id, { firstName: 'Ada', updatedAt: t + 2 })).toBe('updated');
      expect((await users.getById(user.id))?.roles).toEqual(['billing']);
      expect(await users.update(user.id, { roles: [], updatedAt: t + 3 })).toBe('updated');
      const cleared = { ...withoutRoles(user), firstName: 'Ada', updatedAt: t + 3 };
      for (const read of reads(users, user)) {
        expectSameKeys(await read(), cleared, 'a user whose roles were set to []');
      }
      expect(await users.update(user.id, { roles: ['admin'], updatedAt: t + 4 })).toBe('updated');
      expect((await users.getById(user.id))?.roles).toEqual(['admin']);
    },
  );

  check('roles: none, or [], read back without a roles key (never [] nor null)', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const none = newUser(t, { emailNormalized: `${freshPrefix()}@example.test` });
    const empty = newUser(t, { emailNormalized: `${freshPrefix()}@example.test`, roles: [] });
    await createAll(users, none, empty);
    for (const user of [none, empty]) {
      for (const read of reads(users, user)) {
        const found = await read();
        expect(found).toEqual(withoutRoles(user));
        expectSameKeys(found, withoutRoles(user), 'a user without roles');
      }
    }
  });

  check(
    'roles: returns copies: mutating a roles array passed in or read back changes nothing',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const given = ['admin', 'support'];
      const user = newUser(t, { roles: given });
      await createAll(users, user);
      given.push('added by the caller');
      const all = reads(users, user);
      for (const read of all) {
        mutable((await read())?.roles).push('added to a read');
        for (const again of all) expect((await again())?.roles).toEqual(['admin', 'support']);
      }
      const next = ['billing'];
      expect(await users.update(user.id, { roles: next, updatedAt: t + 1 })).toBe('updated');
      next.push('added after the update');
      mutable((await users.getById(user.id))?.roles).push('added to a read');
      for (const read of all) expect((await read())?.roles).toEqual(['billing']);
    },
  );
}
