import { expect } from 'vitest';
import { type AddCheck, newUser, startTime, uid } from './fixtures.js';
import {
  createAll,
  cursorOf,
  freshWindow,
  ids,
  inWindow,
  justBefore,
  sorted,
} from './users-list-fixtures.js';

/**
 * `at(offset, suffix)`: a user created `offset` ms into the window that starts at `start`,
 * whose id is one random stem (shared by the check's users) and `suffix` (unique per check).
 */
function placer(start: number) {
  const stem = uid('user');
  return (offset: number, suffix: string) => newUser(start + offset, { id: `${stem}${suffix}` });
}

/**
 * Registers the paging of `users.list`: `(createdAt, id)` order with ids by code unit, `limit`,
 * the `after` keyset (strictly after), the first page, and pages that neither repeat nor skip a
 * user while others are inserted. Each check places its users in a window of time of its own,
 * so other users of a shared database never fall among them.
 */
export function userPageChecks(check: AddCheck): void {
  check(
    'list: orders users by createdAt, then by id in code-unit order (no locale, no case folding)',
    async (ctx) => {
      const { users } = ctx.storage();
      const start = freshWindow();
      const at = placer(start);
      // Ties on createdAt whose ids sort differently by code unit ('-' < 'B' < '_' < 'a') than
      // by a locale's collation (punctuation ignored, 'a' before 'B') or ignoring case. The
      // first user has the greatest id and the last the smallest: time comes first.
      const [first, b, a, under, last] = [
        at(0, '~z'),
        at(10, '-B'),
        at(10, '-a'),
        at(10, '_0'),
        at(20, '+A'),
      ];
      await createAll(users, under, b, last, first, a);
      const page = await users.list({ after: justBefore(start), limit: 5 });
      expect(page).toEqual([first, b, a, under, last]);
    },
  );

  check(
    'list: caps a page at limit, and after continues strictly after its cursor',
    async (ctx) => {
      const { users } = ctx.storage();
      const start = freshWindow();
      const at = placer(start);
      const all = [at(0, '-5'), at(10, '-1'), at(10, '-2'), at(10, '-3'), at(20, '-0')];
      await createAll(users, ...[...all].reverse());
      const page = async (after: { createdAt: number; id: string }, limit: number) =>
        ids(await users.list({ after, limit }));
      const first = await users.list({ after: justBefore(start), limit: 2 });
      expect(ids(first)).toEqual(ids(all.slice(0, 2)));
      const second = await users.list({ after: cursorOf(first.at(-1)), limit: 2 });
      expect(ids(second)).toEqual(ids(all.slice(2, 4)));
      expect(await page(cursorOf(second.at(-1)), 1)).toEqual(ids(all.slice(4)));
      // The cursor's own user is not repeated; a cursor between two ids of one time keeps the
      // later one; a time decides before an id, either way.
      const [, one] = all;
      expect(await page(cursorOf(one), 3)).toEqual(ids(all.slice(2, 5)));
      const between = { createdAt: start + 10, id: `${one?.id}z` };
      expect(await page(between, 2)).toEqual(ids(all.slice(2, 4)));
      expect(await page({ createdAt: start + 15, id: '' }, 1)).toEqual(ids(all.slice(4)));
      expect(await page({ createdAt: start + 5, id: '~' }, 1)).toEqual(ids(all.slice(1, 2)));
    },
  );

  check(
    'list: without after, starts at the store’s first user, as a cursor of any earlier time does',
    async (ctx) => {
      const { users } = ctx.storage();
      const [first] = await users.list({ limit: 1 });
      // One millisecond before the first user: nothing in the store comes before it.
      const earliest = newUser(first === undefined ? startTime() : first.createdAt - 1);
      await createAll(users, earliest);
      expect(await users.list({ limit: 1 })).toEqual([earliest]);
      if (first !== undefined)
        expect(ids(await users.list({ limit: 2 }))).toEqual(ids([earliest, first]));
      // Core takes a cursor's time from the client: any safe integer, before or after any date
      // a database holds.
      const before = { createdAt: Number.MIN_SAFE_INTEGER, id: 'x' };
      expect(await users.list({ after: before, limit: 1 })).toEqual([earliest]);
      const after = { createdAt: Number.MAX_SAFE_INTEGER, id: 'x' };
      expect(await users.list({ after, limit: 1 })).toEqual([]);
    },
  );

  check(
    'list: pages stay stable while users are inserted: none that existed is repeated or skipped',
    async (ctx) => {
      const { users } = ctx.storage();
      const start = freshWindow();
      const at = placer(start);
      const existing = [
        at(0, '-k'),
        at(10, '-c'),
        at(10, '-m'),
        at(10, '-t'),
        at(20, '-d'),
        at(30, '-e'),
      ];
      await createAll(users, ...existing);
      const page1 = await users.list({ after: justBefore(start), limit: 3 });
      expect(page1).toEqual(existing.slice(0, 3));
      // Between the two reads, users land before the cursor (an earlier time; the cursor's
      // time with a smaller id) and after it (its time with a greater id; later times).
      const before = [at(5, '-z'), at(10, '-a'), at(10, '-l')];
      const after = [at(10, '-n'), at(15, '-b'), at(25, '-f'), at(40, '-g')];
      await createAll(users, ...before, ...after);
      const page2 = await users.list({ after: cursorOf(page1.at(-1)), limit: 20 });
      // Page 2 holds the users after the cursor, old and new, and none before it.
      expect(inWindow(page2, start)).toEqual(sorted([...existing.slice(3), ...after]));
      const seen = ids([...page1, ...inWindow(page2, start)]);
      expect(new Set(seen).size, 'a user on both pages').toBe(seen.length);
      for (const user of existing) expect(seen, `${user.id} skipped`).toContain(user.id);
    },
  );
}
