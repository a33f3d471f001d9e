import type { UserRecord, UserStore } from '../../../src/storage/types.js';
import { fill, type Mutant, mutant, shared } from './mutant.js';

const GENERATION =
  'keeps credentialGeneration exactly (2^52 + 3) through create, lookups and update';
const ACROSS = 'a user’s new credentialGeneration leaves its sessions’ and devices’ generations';
const KEYS =
  'metadataKeys sets and removes only its keys; two racing patches of different keys both stand';
const COPIES = 'returns copies: mutating what create or update got, or what a lookup returned';
const OPTIONAL = [
  'emailVerifiedAt',
  'username',
  'usernameNormalized',
  'passwordHash',
  'firstName',
  'lastName',
  'phone',
  'phoneVerifiedAt',
  'totp',
  'lastLoginAt',
];

/** Every lookup of `users` answering `f(user)`. */
const lookups = (users: UserStore, f: (u: UserRecord) => UserRecord) => {
  const map = (u: UserRecord | undefined) => (u === undefined ? undefined : f(u));
  return {
    getById: async (id: string) => map(await users.getById(id)),
    getByEmail: async (email: string) => map(await users.getByEmail(email)),
    getByUsername: async (name: string) => map(await users.getByUsername(name)),
  };
};

/** Mutants of `users`. */
export const USER_MUTANTS: readonly Mutant[] = [
  mutant(
    'users: credentialGeneration read back as a string (a bigint column)',
    [GENERATION],
    (m) => ({
      users: {
        ...m.users,
        ...lookups(m.users, (u) => ({
          ...u,
          credentialGeneration: String(u.credentialGeneration) as unknown as number,
        })),
      },
    }),
  ),
  mutant('users: credentialGeneration stored as a 32-bit float', [GENERATION], (m) => ({
    users: {
      ...m.users,
      create: (u) =>
        m.users.create({ ...u, credentialGeneration: Math.fround(u.credentialGeneration) }),
    },
  })),
  mutant('users: update ignores credentialGeneration', [GENERATION, ACROSS], (m) => ({
    users: {
      ...m.users,
      update: (id, { credentialGeneration: _g, ...patch }) => m.users.update(id, patch),
    },
  })),
  mutant(
    'users: usernames compared case-insensitively (citext)',
    ['compares normalized usernames exactly'],
    (m) => {
      const find = async (name: string) =>
        (await m.users.getByUsername(name)) ??
        (await m.users.getByUsername(name.toLowerCase())) ??
        (await m.users.getByUsername(name.toUpperCase()));
      return {
        users: {
          ...m.users,
          getByUsername: find,
          create: async (u) =>
            u.usernameNormalized !== undefined && (await find(u.usernameNormalized)) !== undefined
              ? 'conflict'
              : m.users.create(u),
        },
      };
    },
  ),
  mutant(
    'users: a create refused for its email reserves its username',
    ['reserves nothing for a refused create'],
    (m) => {
      const reserved = new Set<string>();
      return {
        users: {
          ...m.users,
          async create(u) {
            const name = u.usernameNormalized;
            if (name !== undefined && reserved.has(name)) return 'conflict';
            const result = await m.users.create(u);
            if (result === 'conflict' && name !== undefined) reserved.add(name);
            return result;
          },
        },
      };
    },
  ),
  mutant(
    'users: create with an existing id overwrites it',
    ['answers conflict for a create with an existing id'],
    (m) => ({
      users: {
        ...m.users,
        async create(u) {
          if ((await m.users.getById(u.id)) !== undefined) await m.users.delete(u.id);
          return m.users.create(u);
        },
      },
    }),
  ),
  mutant('users: update merges metadata', ['replaces metadata and totp whole'], (m) => ({
    users: {
      ...m.users,
      async update(id, patch) {
        const current = await m.users.getById(id);
        if (patch.metadata === undefined || current === undefined) return m.users.update(id, patch);
        return m.users.update(id, {
          ...patch,
          metadata: { ...current.metadata, ...patch.metadata },
        });
      },
    },
  })),
  mutant(
    'users: metadataKeys by read-modify-write (a racing patch of another key is lost)',
    [KEYS],
    (m) => ({
      users: {
        ...m.users,
        async update(id, patch) {
          const { metadataKeys, ...rest } = patch;
          if (metadataKeys === undefined) return m.users.update(id, patch);
          const current = await m.users.getById(id);
          if (current === undefined) return 'not_found';
          // Another turn between the read and the write, as a network round trip gives.
          await new Promise((resolve) => setTimeout(resolve, 1));
          const metadata: Record<string, unknown> = { ...current.metadata };
          for (const [key, value] of Object.entries(metadataKeys)) {
            if (value === null) delete metadata[key];
            else metadata[key] = value;
          }
          return m.users.update(id, { ...rest, metadata: metadata as typeof current.metadata });
        },
      },
    }),
  ),
  mutant('users: metadataKeys ignored', [KEYS], (m) => ({
    users: {
      ...m.users,
      async update(id, patch) {
        const { metadataKeys: _ignored, ...rest } = patch;
        return m.users.update(id, rest);
      },
    },
  })),
  mutant(
    'users: update merges totp (keeps the old lastUsedStep)',
    ['replaces metadata and totp whole'],
    (m) => ({
      users: {
        ...m.users,
        async update(id, patch) {
          const current = (await m.users.getById(id))?.totp;
          if (patch.totp === undefined || patch.totp === null || current === undefined)
            return m.users.update(id, patch);
          return m.users.update(id, { ...patch, totp: { ...current, ...patch.totp } });
        },
      },
    }),
  ),
  mutant(
    'users: absent optional fields read back as null',
    ['leaves absent optional fields absent (no null, no undefined key), created or removed'],
    (m) => ({
      users: { ...m.users, ...lookups(m.users, (u) => fill(u, OPTIONAL, null) as UserRecord) },
    }),
  ),
  mutant('users: getByEmail and getByUsername hand out one shared object', [COPIES], (m) => ({
    users: {
      ...m.users,
      getByEmail: shared(m.users.getByEmail, (email) => email),
      getByUsername: shared(m.users.getByUsername, (name) => name),
    },
  })),
  mutant('users: create keeps the caller’s metadata object', [COPIES], (m) => {
    const inputs = new Map<string, UserRecord>();
    return {
      users: {
        ...m.users,
        async create(u) {
          const result = await m.users.create(u);
          if (result === 'created') inputs.set(u.id, u);
          return result;
        },
        ...lookups(m.users, (u) => ({ ...u, metadata: inputs.get(u.id)?.metadata ?? u.metadata })),
      },
    };
  }),
  mutant('users: update keeps the caller’s metadata object', [COPIES], (m) => {
    const kept = new Map<string, UserRecord['metadata']>();
    return {
      users: {
        ...m.users,
        async update(id, patch) {
          if (patch.metadata !== undefined) kept.set(id, patch.metadata);
          return m.users.update(id, patch);
        },
        ...lookups(m.users, (u) => ({ ...u, metadata: kept.get(u.id) ?? u.metadata })),
      },
    };
  }),
];
