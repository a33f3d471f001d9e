import { expect } from 'vitest';
import type { UserRecord } from '../../storage/types/users.js';
import { type AddCheck, expectSameKeys, newUser, startTime, uid } from './fixtures.js';
import { createAll, freshPrefix, ids, sorted } from './users-list-fixtures.js';

/** A user whose normalized email starts with `start` (and is unique). */
const emailed = (t: number, start: string, overrides: Partial<UserRecord> = {}) =>
  newUser(t, { emailNormalized: `${start}${uid('')}@example.test`.toLowerCase(), ...overrides });

/**
 * Registers the filters of `users.list`: a prefix of the normalized email or username (exact)
 * or of a name (ignoring case), taken as text, never as a pattern; a role; the disabled flag;
 * and whole, copied records. Each check's users share a prefix of their own, so other users
 * of a shared database never match.
 */
export function userListChecks(check: AddCheck): void {
  check(
    'list: prefix matches the start of emailNormalized or usernameNormalized, exactly',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const p = freshPrefix();
      const byEmail = newUser(t, { email: `${p}A@Example.test`, emailNormalized: `${p}a@x.test` });
      const byName = newUser(t, { username: `${p}B`, usernameNormalized: `${p}b` });
      const inside = newUser(t, { emailNormalized: `x${p}@x.test`, usernameNormalized: `x${p}` });
      // Normalized values are compared exactly: core lower-cases the prefix, not the store.
      const upper = newUser(t, {
        emailNormalized: `${p.toUpperCase()}c@x.test`,
        usernameNormalized: `${p.toUpperCase()}c`,
      });
      // The display email and username are not searched.
      const display = newUser(t, { email: `${p}d@x.test`, username: `${p}d` });
      await createAll(users, display, upper, byName, inside, byEmail);
      expect(await users.list({ prefix: p, limit: 10 })).toEqual(sorted([byEmail, byName]));
      expect(await users.list({ prefix: `${p}b`, limit: 10 })).toEqual([byName]);
      expect(await users.list({ prefix: byEmail.emailNormalized, limit: 10 })).toEqual([byEmail]);
      expect(await users.list({ prefix: `${p}a@x.test.`, limit: 10 })).toEqual([]);
    },
  );

  check('list: prefix matches the start of firstName or lastName, ignoring case', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const p = freshPrefix();
    const capital = `${p.slice(0, 1).toUpperCase()}${p.slice(1)}`;
    const first = newUser(t, { firstName: `${p.toUpperCase()}INE` });
    const last = newUser(t, { lastName: `${capital}son` });
    // A user whose two names both match is listed once.
    const both = newUser(t, { firstName: `${p}a`, lastName: `${capital}b` });
    const middle = newUser(t, { firstName: `Mc${p}`, lastName: `O’${p}` });
    await createAll(users, middle, both, last, first);
    const expected = sorted([first, last, both]);
    expect(await users.list({ prefix: p, limit: 10 })).toEqual(expected);
    // Names ignore the prefix's case too (core lower-cases it; a store need not rely on that).
    expect(await users.list({ prefix: p.toUpperCase(), limit: 10 })).toEqual(expected);
    expect(await users.list({ prefix: `${capital}SO`, limit: 10 })).toEqual([last]);
  });

  check('list: takes %, _ and \\ in a prefix literally, never as a pattern', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const p = freshPrefix();
    const underscore = emailed(t, `${p}_1`);
    const nameUnderscore = newUser(t, { lastName: `${p}_2` });
    const percent = newUser(t, { usernameNormalized: `${p}%3` });
    const backslash = newUser(t, { firstName: `${p}\\4` });
    // What each would also match as a LIKE pattern: `_` any one character, `%` any run.
    const decoys = [
      emailed(t, `${p}x1`),
      newUser(t, { lastName: `${p}y2` }),
      newUser(t, { usernameNormalized: `${p}zz3` }),
      newUser(t, { firstName: `${p}4` }),
    ];
    await createAll(users, ...decoys, backslash, percent, nameUnderscore, underscore);
    const find = async (prefix: string) => ids(await users.list({ prefix, limit: 10 }));
    expect(await find(`${p}_`)).toEqual(ids(sorted([underscore, nameUnderscore])));
    expect(await find(`${p}%`)).toEqual([percent.id]);
    expect(await find(`${p}%3`)).toEqual([percent.id]);
    expect(await find(`${p}\\`)).toEqual([backslash.id]);
    expect(await find(`${p}\\4`)).toEqual([backslash.id]);
    expect(await find(`${p}\\_`)).toEqual([]);
  });

  check(
    'list: filters by role (the exact name) and by disabled, alone and with a prefix',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const p = freshPrefix();
      const role = `role-${p}`;
      const admin = emailed(t, p, { roles: [role, 'support'] });
      const adminOff = emailed(t, p, { roles: ['support', role], disabled: true });
      const support = emailed(t, p, { roles: ['support'] });
      const off = emailed(t, p, { disabled: true });
      const plain = emailed(t, p);
      // A role that starts like it, or differs in case, is another role.
      const near = emailed(t, p, { roles: [`${role}x`, role.toUpperCase(), role.slice(0, -1)] });
      await createAll(users, near, plain, off, support, adminOff, admin);
      const list = (query: { prefix?: string; role?: string; disabled?: boolean }) =>
        users.list({ ...query, limit: 10 });
      expect(await list({ role })).toEqual(sorted([admin, adminOff]));
      expect(await list({ role, disabled: false })).toEqual([admin]);
      expect(await list({ role, disabled: true })).toEqual([adminOff]);
      expect(await list({ prefix: p, role: 'support' })).toEqual(
        sorted([admin, adminOff, support]),
      );
      expect(await list({ prefix: p, disabled: true })).toEqual(sorted([adminOff, off]));
      expect(await list({ prefix: p, disabled: false })).toEqual(
        sorted([admin, support, plain, near]),
      );
      expect(await list({ prefix: p, role: 'support', disabled: true })).toEqual([adminOff]);
      expect(await list({ role: uid('nobody') })).toEqual([]);
    },
  );

  check(
    'list: returns whole records and copies: mutating a listed user changes nothing',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const p = freshPrefix();
      const { passwordHash: _hash, username: _u, usernameNormalized: _n, ...bare } = emailed(t, p);
      const rich = emailed(t, p, { firstName: 'Ada', lastLoginAt: t, roles: ['admin'] });
      await createAll(users, bare, rich);
      const page = await users.list({ prefix: p, limit: 10 });
      expect(page).toEqual(sorted([bare, rich]));
      for (const user of page) {
        expectSameKeys(user, user.id === bare.id ? bare : rich, 'users.list');
        const careless = user as unknown as { metadata: { plan: string }; roles?: string[] };
        careless.metadata.plan = 'changed by the caller';
        careless.roles?.push('added by the caller');
      }
      expect(await users.list({ prefix: p, limit: 10 })).toEqual(sorted([bare, rich]));
      expect(await users.getById(rich.id)).toEqual(rich);
    },
  );
}
