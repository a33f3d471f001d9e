import type { MemoryStorage } from '../../../src/storage/memory/index.js';
import type { UserListQuery, UserRecord, UserStore } from '../../../src/storage/types.js';
import { type Mutant, mutant } from './mutant.js';

const ORDER = 'list: orders users by createdAt, then by id in code-unit order';
const PAGES = 'list: caps a page at limit, and after continues strictly after its cursor';
const STABLE = 'list: pages stay stable while users are inserted';
const FIRST = 'list: without after, starts at the store’s first user';
const EXACT = 'list: prefix matches the start of emailNormalized or usernameNormalized';
const NAMES = 'list: prefix matches the start of firstName or lastName, ignoring case';
const LITERAL = 'list: takes %, _ and \\ in a prefix literally';
const WHOLE = 'list: returns whole records and copies';
const KEPT = 'roles: keeps them as given, order too';
const REPLACED = 'roles: update replaces them whole';
const NONE = 'roles: none, or [], read back without a roles key';
const COPIES = 'roles: returns copies: mutating a roles array';
const JOINED = 'carries the user’s roles, and sees them replaced and removed';

type Position = NonNullable<UserListQuery['after']>;
type Compare = (a: Position, b: Position) => number;

const byCodeUnit: Compare = (a, b) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** How a broken `list` differs from memory's: its order, its `after`, its prefix match. */
interface ListFlaws {
  readonly compare?: Compare;
  readonly isAfter?: (user: UserRecord, after: Position) => boolean;
  readonly matches?: (user: UserRecord, prefix: string) => boolean;
}

/** `list` over memory's users (role and disabled filters kept), with `flaws` instead. */
function flawedList(m: MemoryStorage, flaws: ListFlaws): UserStore['list'] {
  const { compare = byCodeUnit, matches } = flaws;
  const isAfter = flaws.isAfter ?? ((user, after) => compare(user, after) > 0);
  return async ({ after, prefix, limit, ...filters }) => {
    // Memory's own prefix match unless the flaw is there.
    const own = matches === undefined && prefix !== undefined ? { prefix } : {};
    const all = await m.users.list({ ...filters, ...own, limit: Number.MAX_SAFE_INTEGER });
    return all
      .filter((u) => prefix === undefined || matches === undefined || matches(u, prefix))
      .filter((u) => after === undefined || isAfter(u, after))
      .sort(compare)
      .slice(0, limit);
  };
}

/** What SQL's `value LIKE pattern` answers, `\` escaping the next character. */
function like(value: string, pattern: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] ?? '';
    if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else {
      const literal = c === '\\' ? (pattern[++i] ?? '') : c;
      source += literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`).test(value);
}

/** Every read of `users` (lookups and list) answering `f(user)`. */
function reads(users: UserStore, f: (user: UserRecord) => UserRecord): Partial<UserStore> {
  const map = (u: UserRecord | undefined) => (u === undefined ? undefined : f(u));
  return {
    getById: async (id) => map(await users.getById(id)),
    getByEmail: async (email) => map(await users.getByEmail(email)),
    getByUsername: async (name) => map(await users.getByUsername(name)),
    list: async (query) => (await users.list(query)).map(f),
  };
}

const withoutRoles = ({ roles: _roles, ...user }: UserRecord): UserRecord => user;

/** Mutants of `users.list` and of users' `roles`. */
export const USER_LIST_MUTANTS: readonly Mutant[] = [
  mutant('users.list: ignores after (every page is the first)', [PAGES, STABLE], (m) => ({
    users: { ...m.users, list: flawedList(m, { isAfter: () => true }) },
  })),
  mutant('users.list: after includes its cursor (>=)', [PAGES, STABLE], (m) => ({
    users: { ...m.users, list: flawedList(m, { isAfter: (u, a) => byCodeUnit(u, a) >= 0 }) },
  })),
  mutant(
    'users.list: after compares createdAt only (skips the rest of its time)',
    [PAGES, STABLE],
    (m) => ({
      users: { ...m.users, list: flawedList(m, { isAfter: (u, a) => u.createdAt > a.createdAt }) },
    }),
  ),
  mutant('users.list: ids compared ignoring case', [ORDER], (m) => {
    const folded = (p: Position) => ({ ...p, id: p.id.toLowerCase() });
    return {
      users: {
        ...m.users,
        list: flawedList(m, { compare: (a, b) => byCodeUnit(folded(a), folded(b)) }),
      },
    };
  }),
  mutant('users.list: ids compared by a locale’s collation (en-US)', [ORDER], (m) => ({
    users: {
      ...m.users,
      list: flawedList(m, {
        compare: (a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id, 'en-US'),
      }),
    },
  })),
  mutant(
    'users.list: a cursor before any date PostgreSQL holds fails (converted unchecked)',
    [FIRST],
    (m) => ({
      users: {
        ...m.users,
        async list(query) {
          if (query.after !== undefined && query.after.createdAt < -210_866_803_200_000) {
            throw new Error('timestamp out of range');
          }
          return m.users.list(query);
        },
      },
    }),
  ),
  mutant('users.list: the prefix is a LIKE pattern (%, _ and \\ not escaped)', [LITERAL], (m) => ({
    users: {
      ...m.users,
      list: flawedList(m, {
        matches: (u, p) =>
          [u.emailNormalized, u.usernameNormalized].some(
            (v) => v !== undefined && like(v, `${p}%`),
          ) ||
          [u.firstName, u.lastName].some(
            (v) => v !== undefined && like(v.toLowerCase(), `${p.toLowerCase()}%`),
          ),
      }),
    },
  })),
  mutant('users.list: normalized email and username matched ignoring case', [EXACT], (m) => ({
    users: {
      ...m.users,
      list: flawedList(m, {
        matches: (u, p) =>
          [u.emailNormalized, u.usernameNormalized, u.firstName, u.lastName].some(
            (v) => v?.toLowerCase().startsWith(p.toLowerCase()) === true,
          ),
      }),
    },
  })),
  mutant('users.list: names matched with their case', [NAMES], (m) => ({
    users: {
      ...m.users,
      list: flawedList(m, {
        matches: (u, p) =>
          [u.emailNormalized, u.usernameNormalized, u.firstName, u.lastName].some(
            (v) => v?.startsWith(p) === true,
          ),
      }),
    },
  })),
  mutant('users.list: listed users come without their roles', [KEPT, WHOLE], (m) => ({
    users: { ...m.users, list: async (query) => (await m.users.list(query)).map(withoutRoles) },
  })),
  mutant('users: update ignores roles', [REPLACED, JOINED], (m) => ({
    users: { ...m.users, update: (id, { roles: _roles, ...patch }) => m.users.update(id, patch) },
  })),
  mutant('users: update merges roles into the stored ones', [REPLACED], (m) => ({
    users: {
      ...m.users,
      async update(id, patch) {
        const current = (await m.users.getById(id))?.roles ?? [];
        if (patch.roles === undefined) return m.users.update(id, patch);
        const roles = [...new Set([...current, ...patch.roles])];
        return m.users.update(id, { ...patch, roles });
      },
    },
  })),
  mutant('users: no roles read back as [] (an array column mapped as is)', [NONE], (m) => ({
    users: { ...m.users, ...reads(m.users, (u) => ({ ...u, roles: u.roles ?? [] })) },
  })),
  mutant(
    'users: roles arrays shared with the caller (kept from writes, handed out)',
    [COPIES],
    (m) => {
      const kept = new Map<string, readonly string[]>();
      const keep = (id: string, roles: readonly string[] | undefined) => {
        if (roles !== undefined && roles.length > 0) kept.set(id, roles);
        else if (roles !== undefined) kept.delete(id);
      };
      return {
        users: {
          ...m.users,
          async create(user) {
            const result = await m.users.create(user);
            if (result === 'created') keep(user.id, user.roles);
            return result;
          },
          async update(id, patch) {
            const result = await m.users.update(id, patch);
            if (result === 'updated') keep(id, patch.roles);
            return result;
          },
          ...reads(m.users, (u) => {
            const roles = kept.get(u.id);
            return roles === undefined ? u : { ...u, roles };
          }),
        },
      };
    },
  ),
  mutant(
    'sessionWithUser: the user comes without its roles (a join that forgot the column)',
    [JOINED],
    (m) => ({
      async sessionWithUser(id, now) {
        const pair = await m.sessionWithUser?.(id, now);
        return pair?.user === undefined ? pair : { ...pair, user: withoutRoles(pair.user) };
      },
    }),
  ),
];
