import { expect } from 'vitest';
import { toHex } from '../../crypto/encoding.js';
import { webCryptoRandom } from '../../crypto/random.js';
import type { UserListQuery, UserRecord, UserStore } from '../../storage/types/users.js';

/**
 * A prefix no other user of a shared database starts with: `k` and 12 random hex digits,
 * lower case (as core passes a prefix), with no LIKE metacharacter in it.
 */
export function freshPrefix(): string {
  return `k${toHex(webCryptoRandom.bytes(6))}`;
}

/** How long a {@link freshWindow} lasts, in milliseconds; checks place users inside it. */
export const WINDOW_MS = 200;

/**
 * The start of a window of {@link WINDOW_MS} that no other check writes in: a random multiple
 * of it between 2001 and 2028, far from the real time the other checks use, so that in a
 * shared database a page read from {@link justBefore} the window starts with the check's own
 * users. Windows of two checks are one and the same (one chance in four billion) or apart.
 */
export function freshWindow(): number {
  const [a = 0, b = 0, c = 0, d = 0] = webCryptoRandom.bytes(4);
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  return Date.UTC(2001, 0, 1) + n * WINDOW_MS;
}

/** A cursor just before `start`: a page from it starts with the first user at `start`. */
export function justBefore(start: number): NonNullable<UserListQuery['after']> {
  return { createdAt: start - 1, id: 'z' };
}

/** The cursor after `user`, as core makes it from the last user of a page. */
export function cursorOf(user: UserRecord | undefined): NonNullable<UserListQuery['after']> {
  expect(user, 'the last user of a page').toBeDefined();
  return { createdAt: user?.createdAt ?? 0, id: user?.id ?? '' };
}

/** The users of `page` inside the window that starts at `start`. */
export function inWindow(page: readonly UserRecord[], start: number): UserRecord[] {
  return page.filter((u) => u.createdAt >= start && u.createdAt < start + WINDOW_MS);
}

/** `users` in `(createdAt, id)` order, ids by code unit (JavaScript's `<`, SQL's `COLLATE "C"`). */
export function sorted(users: readonly UserRecord[]): UserRecord[] {
  return [...users].sort(
    (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The ids of `users`, for messages that stay readable. */
export const ids = (users: readonly UserRecord[]): string[] => users.map((u) => u.id);

/** Creates each user in turn, asserting that each is `created`. */
export async function createAll(users: UserStore, ...records: UserRecord[]): Promise<void> {
  for (const user of records) expect(await users.create(user), user.id).toBe('created');
}
