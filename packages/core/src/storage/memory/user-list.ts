import type { UserListQuery, UserRecord } from '../types/users.js';
import { byAge } from './user-rows.js';

/**
 * The users of `all` that `query` selects, in `(createdAt, id)` order (ids by code unit, as
 * PostgreSQL's `COLLATE "C"`), at most `query.limit` of them: the stored records themselves,
 * for the caller to copy. The same rules as the PostgreSQL adapter's statement, so the two
 * answer alike (see `UserStore.list`).
 */
export function listUsers(all: Iterable<UserRecord>, query: UserListQuery): UserRecord[] {
  const found: UserRecord[] = [];
  for (const user of all) if (selects(query, user)) found.push(user);
  return found.sort(byAge).slice(0, Math.max(query.limit, 0));
}

function selects(query: UserListQuery, user: UserRecord): boolean {
  const { after, prefix, role, disabled } = query;
  // Strictly after the cursor: a page never repeats the last user of the page before.
  if (after !== undefined && byAge(user, after) <= 0) return false;
  if (disabled !== undefined && user.disabled !== disabled) return false;
  if (role !== undefined && !(user.roles ?? []).includes(role)) return false;
  return prefix === undefined || startsWith(user, prefix);
}

/**
 * Normalized email and username compared exactly (core lower-cases the prefix); first and
 * last name case-insensitively, as SQL's `lower(first_name) LIKE lower($p) || '%'`. A prefix
 * is text, never a pattern: `%`, `_` and `\` match themselves.
 */
function startsWith(user: UserRecord, prefix: string): boolean {
  if (user.emailNormalized.startsWith(prefix)) return true;
  if (user.usernameNormalized?.startsWith(prefix) === true) return true;
  // toLowerCase and PostgreSQL's lower() agree on ASCII, and under a UTF-8 LC_CTYPE on most
  // other letters; an LC_CTYPE of C lowers ASCII only.
  const lower = prefix.toLowerCase();
  return [user.firstName, user.lastName].some(
    (name) => name?.toLowerCase().startsWith(lower) === true,
  );
}
