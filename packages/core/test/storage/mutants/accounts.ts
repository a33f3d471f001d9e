import type { AccountRecord } from '../../../src/storage/types.js';
import { fill, type Mutant, mutant, tick } from './mutant.js';

/** Mutants of `accounts`. */
export const ACCOUNT_MUTANTS: readonly Mutant[] = [
  mutant(
    'accounts: create checks, then writes (concurrent links of one identity all succeed)',
    ['concurrent links of one identity, exactly one is created'],
    (m) => ({
      accounts: {
        ...m.accounts,
        async create(account) {
          const taken =
            (await m.accounts.get(account.id)) !== undefined ||
            (await m.accounts.getBySubject(account.provider, account.subject)) !== undefined;
          await tick();
          if (taken) return 'conflict';
          // The write of a store without a unique index: it never refuses, so the racers
          // that checked before the first write all answer created.
          await m.accounts.create(account);
          return 'created';
        },
      },
    }),
  ),
  mutant(
    'accounts: keepOne counts the user’s links, then deletes (two racers delete both)',
    [
      'two concurrent keepOne deletes of a user’s last two links',
      'concurrent keepOne deletes spread over a user’s three links',
    ],
    (m) => ({
      accounts: {
        ...m.accounts,
        async delete(id, { userId, keepOne }) {
          const links = await m.accounts.listByUser(userId);
          await tick();
          if (!links.some((a) => a.id === id)) return 'not_found';
          if (keepOne && links.length <= 1) return 'last';
          return m.accounts.delete(id, { userId, keepOne: false });
        },
      },
    }),
  ),
  mutant(
    'accounts: listByUser breaks ties with a locale’s collation, not by code unit',
    ['lists a user’s links oldest first'],
    (m) => ({
      accounts: {
        ...m.accounts,
        listByUser: async (userId) =>
          (await m.accounts.listByUser(userId)).sort(
            (a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id, 'en'),
          ),
      },
    }),
  ),
  mutant(
    'accounts: an absent email read back as null',
    ['leaves absent optional fields absent: a link’s email'],
    (m) => {
      const f = (a: AccountRecord | undefined) => fill(a, ['email'], null);
      return {
        accounts: {
          ...m.accounts,
          get: async (id) => f(await m.accounts.get(id)),
          getBySubject: async (provider, subject) =>
            f(await m.accounts.getBySubject(provider, subject)),
          listByUser: async (userId) => (await m.accounts.listByUser(userId)).map((a) => f(a) ?? a),
        },
      };
    },
  ),
];
