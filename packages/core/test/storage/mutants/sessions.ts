import type { SessionRecord, SessionStore } from '../../../src/storage/types.js';
import { fill, type Mutant, mutant, shared, tick } from './mutant.js';

const FIELDS =
  'keeps credentialGeneration (2^52 + 3) and secondFactorAt through create, get and listByUser';
const MARK_FRESH = 'markFresh sets secondFactorAt and credentialGeneration when given';
const COPIES = 'returns copies: mutating what create or markFresh got';
const ACROSS = 'a user’s new credentialGeneration leaves its sessions’ and devices’ generations';
const OPTIONAL = [
  'secretHash',
  'refreshHash',
  'ip',
  'userAgent',
  'secondFactorAt',
  'impersonatedBy',
];
const IMPERSONATED = 'keeps impersonatedBy through create, get, listByUser, and every write';

/** `get` and `listByUser` of `sessions` answering `f(session)`. */
const reads = (sessions: SessionStore, f: (s: SessionRecord) => SessionRecord) => ({
  get: async (id: string, now: number) => {
    const s = await sessions.get(id, now);
    return s === undefined ? undefined : f(s);
  },
  listByUser: async (userId: string, now: number) =>
    (await sessions.listByUser(userId, now)).map(f),
});

/** Mutants of `sessions`. */
export const SESSION_MUTANTS: readonly Mutant[] = [
  mutant('sessions: create drops secondFactorAt', [FIELDS], (m) => ({
    sessions: {
      ...m.sessions,
      create: ({ secondFactorAt: _s, ...s }) => m.sessions.create(s),
    },
  })),
  mutant('sessions: create drops impersonatedBy', [IMPERSONATED], (m) => ({
    sessions: {
      ...m.sessions,
      create: ({ impersonatedBy: _i, ...s }) => m.sessions.create(s),
    },
  })),
  mutant(
    'sessions: markFresh rewrites the record from its own columns, losing impersonatedBy',
    [IMPERSONATED],
    (m) => ({
      sessions: {
        ...m.sessions,
        async markFresh(id, options) {
          const result = await m.sessions.markFresh(id, options);
          const s = await m.sessions.get(id, options.now);
          if (s !== undefined) {
            const { impersonatedBy: _i, ...rest } = s;
            await m.sessions.create(rest);
          }
          return result;
        },
      },
    }),
  ),
  mutant('sessions: listByUser drops impersonatedBy', [IMPERSONATED], (m) => ({
    sessions: {
      ...m.sessions,
      listByUser: async (userId, now) =>
        (await m.sessions.listByUser(userId, now)).map(({ impersonatedBy: _i, ...s }) => s),
    },
  })),
  mutant('sessions: credentialGeneration kept in a 32-bit column', [FIELDS], (m) => ({
    sessions: {
      ...m.sessions,
      ...reads(m.sessions, (s) => ({ ...s, credentialGeneration: s.credentialGeneration | 0 })),
    },
  })),
  mutant(
    'sessions: markFresh ignores secondFactorAt and credentialGeneration',
    [MARK_FRESH],
    (m) => ({
      sessions: {
        ...m.sessions,
        markFresh: (id, { secondFactorAt: _s, credentialGeneration: _g, ...options }) =>
          m.sessions.markFresh(id, options),
      },
    }),
  ),
  mutant('sessions: markFresh without secondFactorAt clears it', [MARK_FRESH], (m) => ({
    sessions: {
      ...m.sessions,
      async markFresh(id, options) {
        const result = await m.sessions.markFresh(id, options);
        const s = await m.sessions.get(id, options.now);
        if (options.secondFactorAt === undefined && s !== undefined) {
          const { secondFactorAt: _s, ...rest } = s;
          await m.sessions.create(rest);
        }
        return result;
      },
    },
  })),
  mutant(
    'sessions: markFresh writes a dead session (and answers not_found)',
    ['markFresh of a dead, deleted or missing session is not_found and writes nothing'],
    (m) => ({
      sessions: {
        ...m.sessions,
        async markFresh(id, { freshUntil, amr, secondFactorAt, credentialGeneration, now }) {
          // Read whatever is stored, dead or not, and write it back.
          const s = await m.sessions.get(id, Number.NEGATIVE_INFINITY);
          if (s === undefined) return 'not_found';
          const generation = credentialGeneration ?? s.credentialGeneration;
          const second = secondFactorAt === undefined ? {} : { secondFactorAt };
          await m.sessions.create({
            ...s,
            ...second,
            freshUntil,
            amr: amr ?? s.amr,
            credentialGeneration: generation,
          });
          return (await m.sessions.get(id, now)) === undefined ? 'not_found' : 'updated';
        },
      },
    }),
  ),
  mutant(
    'sessions: markFresh reads, then writes (racing a delete, it resurrects)',
    ['a markFresh racing a delete never brings the session back'],
    (m) => ({
      sessions: {
        ...m.sessions,
        async markFresh(id, { freshUntil, amr, now }) {
          const s = await m.sessions.get(id, now);
          if (s === undefined) return 'not_found';
          await tick();
          await m.sessions.create({ ...s, freshUntil, amr: amr ?? s.amr });
          return 'updated';
        },
      },
    }),
  ),
  mutant(
    'sessions: touch reads, then writes (concurrent touches lose the latest)',
    ['concurrent touches keep the latest idle expiry and lastSeenAt'],
    (m) => ({
      sessions: {
        ...m.sessions,
        async touch(id, { now, idleExpiresAt }) {
          const s = await m.sessions.get(id, now);
          if (s === undefined) return 'not_found';
          await tick();
          const capped = Math.min(idleExpiresAt, s.absoluteExpiresAt);
          const next = {
            lastSeenAt: Math.max(s.lastSeenAt, now),
            idleExpiresAt: Math.max(s.idleExpiresAt, capped),
          };
          await m.sessions.create({ ...s, ...next });
          return 'touched';
        },
      },
    }),
  ),
  mutant(
    'sessions: touch sets lastSeenAt to now, even back',
    ['concurrent touches keep the latest idle expiry and lastSeenAt'],
    (m) => ({
      sessions: {
        ...m.sessions,
        async touch(id, options) {
          const result = await m.sessions.touch(id, options);
          const s = await m.sessions.get(id, options.now);
          if (s !== undefined) await m.sessions.create({ ...s, lastSeenAt: options.now });
          return result;
        },
      },
    }),
  ),
  mutant(
    'sessions: keeps only the last 2 replaced refresh hashes',
    ['rotates the refresh hash ten times'],
    (m) => ({
      sessions: {
        ...m.sessions,
        async rotateRefresh(id, options) {
          const result = await m.sessions.rotateRefresh(id, options);
          const s = await m.sessions.get(id, options.now);
          if (s !== undefined) {
            await m.sessions.create({
              ...s,
              previousRefreshHashes: s.previousRefreshHashes.slice(-2),
            });
          }
          return result;
        },
      },
    }),
  ),
  mutant(
    'sessions: deleteByUser misses the user’s first session',
    ['deleteByUser removes all five of a user’s sessions'],
    (m) => {
      const ids = new Map<string, string[]>();
      return {
        sessions: {
          ...m.sessions,
          async create(s) {
            ids.set(s.userId, [...(ids.get(s.userId) ?? []), s.id]);
            await m.sessions.create(s);
          },
          async deleteByUser(userId, { exceptId } = {}) {
            // An index that lost its first entry.
            for (const id of (ids.get(userId) ?? []).slice(1))
              if (id !== exceptId) await m.sessions.delete(id);
          },
        },
      };
    },
  ),
  mutant(
    'sessions: users.update moves the user’s sessions to the new generation',
    [ACROSS],
    (m) => ({
      users: {
        ...m.users,
        async update(id, patch) {
          const result = await m.users.update(id, patch);
          const generation = patch.credentialGeneration;
          if (result === 'updated' && generation !== undefined) {
            for (const s of await m.sessions.listByUser(id, Date.now())) {
              await m.sessions.markFresh(s.id, {
                freshUntil: s.freshUntil,
                credentialGeneration: generation,
                now: Date.now(),
              });
            }
          }
          return result;
        },
      },
    }),
  ),
  mutant(
    'sessions: absent optional fields read back as keys holding undefined',
    [
      'leaves absent optional fields absent (no null, no undefined key), also after writes',
      MARK_FRESH,
    ],
    (m) => ({
      sessions: {
        ...m.sessions,
        ...reads(m.sessions, (s) => fill(s, OPTIONAL, undefined) as SessionRecord),
      },
    }),
  ),
  mutant('sessions: create keeps the caller’s amr array', [COPIES], (m) => {
    const inputs = new Map<string, SessionRecord>();
    return {
      sessions: {
        ...m.sessions,
        async create(s) {
          inputs.set(s.id, s);
          await m.sessions.create(s);
        },
        ...reads(m.sessions, (s) => ({ ...s, amr: inputs.get(s.id)?.amr ?? s.amr })),
      },
    };
  }),
  mutant('sessions: markFresh keeps the caller’s amr array', [COPIES], (m) => {
    const amrs = new Map<string, readonly string[]>();
    return {
      sessions: {
        ...m.sessions,
        async markFresh(id, options) {
          if (options.amr !== undefined) amrs.set(id, options.amr);
          return m.sessions.markFresh(id, options);
        },
        ...reads(m.sessions, (s) => ({ ...s, amr: amrs.get(s.id) ?? s.amr })),
      },
    };
  }),
  mutant('sessions: get hands out one shared object', [COPIES], (m) => ({
    sessions: { ...m.sessions, get: shared(m.sessions.get, (id) => id) },
  })),
];
