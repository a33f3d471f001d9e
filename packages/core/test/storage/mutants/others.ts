import { copy } from '../../../src/storage/memory/copy.js';
import type {
  AuditEventRecord,
  JsonObject,
  OneTimeTokenRecord,
} from '../../../src/storage/types.js';
import { fill, type Mutant, mutant, shared, tick } from './mutant.js';

const TOKENS_DELETE = 'deleteByUser removes all five of a user’s tokens of one purpose';

/** A `tokens.deleteByUser` that misses the user's first token, with a purpose or without. */
function tokensMissingFirst(withPurpose: boolean): Mutant {
  const name = `tokens: deleteByUser ${withPurpose ? 'with' : 'without'} a purpose misses the first token`;
  return mutant(name, [TOKENS_DELETE], (m) => {
    const created = new Map<string, OneTimeTokenRecord[]>();
    return {
      tokens: {
        ...m.tokens,
        async create(token) {
          const { userId } = token;
          if (userId !== undefined) created.set(userId, [...(created.get(userId) ?? []), token]);
          return m.tokens.create(token);
        },
        async deleteByUser(userId, { purpose } = {}) {
          const doomed = (created.get(userId) ?? []).filter(
            (t) => purpose === undefined || t.purpose === purpose,
          );
          const skip = withPurpose === (purpose !== undefined) ? 1 : 0;
          for (const t of doomed.slice(skip)) await m.tokens.delete(t.purpose, t.selector);
        },
      },
    };
  });
}
/** Mutants of `tokens`, `rateLimits` and `audit`. */
export const OTHER_MUTANTS: readonly Mutant[] = [
  tokensMissingFirst(false),
  tokensMissingFirst(true),
  mutant(
    'tokens: an absent payload read back as null',
    ['leaves an absent payload absent'],
    (m) => ({
      tokens: {
        ...m.tokens,
        get: async (purpose, selector, now) =>
          fill(await m.tokens.get(purpose, selector, now), ['payload'], null),
        async consume(purpose, selector, options) {
          const result = await m.tokens.consume(purpose, selector, options);
          if (result.status !== 'ok') return result;
          return { status: 'ok', record: fill(result.record, ['payload'], null) ?? result.record };
        },
      },
    }),
  ),
  mutant(
    'tokens: create keeps the caller’s payload object',
    ['returns copies: mutating the token create got'],
    (m) => {
      const payloads = new Map<string, JsonObject | undefined>();
      const withInput = (t: OneTimeTokenRecord | undefined) => {
        const payload = t === undefined ? undefined : payloads.get(t.selector);
        return t === undefined || payload === undefined ? t : { ...t, payload };
      };
      return {
        tokens: {
          ...m.tokens,
          async create(token) {
            payloads.set(token.selector, token.payload);
            return m.tokens.create(token);
          },
          get: async (purpose, selector, now) =>
            withInput(await m.tokens.get(purpose, selector, now)),
        },
      };
    },
  ),
  mutant(
    'rateLimits: lock reads, then writes (concurrent locks keep the last, not the longest)',
    ['concurrent locks of one key, the longest holds'],
    (m) => {
      const locks = new Map<string, number>();
      return {
        rateLimits: {
          ...m.rateLimits,
          async lock(key, { untilMs }) {
            const current = locks.get(key);
            await tick();
            if (current === undefined || untilMs > current) locks.set(key, untilMs);
          },
          lockedUntil: async (key, now) => {
            const until = locks.get(key);
            return until !== undefined && now < until ? until : undefined;
          },
          async reset(key) {
            locks.delete(key);
            await m.rateLimits.reset(key);
          },
        },
      };
    },
  ),
  mutant(
    'rateLimits: peek hands out a shared object',
    ['returns fresh objects: mutating what hit or peek answered'],
    (m) => ({
      rateLimits: { ...m.rateLimits, peek: shared(m.rateLimits.peek, (key) => key) },
    }),
  ),
  mutant(
    'rateLimits: release is a plain decrement (takes back hits it never counted)',
    ['release takes back a named allowed hit once', 'release does nothing for a denied hit'],
    (m) => ({
      rateLimits: {
        ...m.rateLimits,
        async release(key, _id, now) {
          const window = await m.rateLimits.peek(key, now);
          if (window === undefined || window.count === 0) return false;
          // No id kept: "take one back" through the only primitive there is.
          await m.rateLimits.reset(key);
          return true;
        },
      },
    }),
  ),
  mutant(
    'rateLimits: release checks, then takes back (two concurrent releases both count)',
    ['concurrent releases of one hit exactly one takes it back'],
    (m) => {
      const released = new Set<string>();
      return {
        rateLimits: {
          ...m.rateLimits,
          async release(key, id, now) {
            const seen = released.has(`${key} ${id}`);
            await tick();
            if (seen) return false;
            released.add(`${key} ${id}`);
            return m.rateLimits.release(key, id, now).then(() => true);
          },
        },
      };
    },
  ),
  mutant(
    'audit: the sequence is createdAt',
    ['numbers two events with one createdAt apart'],
    () => {
      const events: AuditEventRecord[] = [];
      const newest = (keep: (e: AuditEventRecord) => boolean, limit: number) =>
        events
          .filter(keep)
          .sort((a, b) => b.sequence - a.sequence)
          .slice(0, limit)
          .map(copy);
      const before = (e: AuditEventRecord, beforeSequence?: number) =>
        beforeSequence === undefined || e.sequence < beforeSequence;
      return {
        audit: {
          async append(event) {
            events.push({ ...copy(event), sequence: event.createdAt });
            return event.createdAt;
          },
          list: async (userId, { limit, beforeSequence }) =>
            newest((e) => e.userId === userId && before(e, beforeSequence), limit),
          listAll: async ({ limit, beforeSequence, type }) =>
            newest(
              (e) => before(e, beforeSequence) && (type === undefined || e.type === type),
              limit,
            ),
          async deleteByUser(userId) {
            events.splice(0, events.length, ...events.filter((e) => e.userId !== userId));
          },
        },
      };
    },
  ),
  mutant('audit: listed by createdAt', ['orders by sequence, not createdAt'], (m) => ({
    audit: {
      ...m.audit,
      list: async (userId, { limit, beforeSequence }) => {
        const before = beforeSequence === undefined ? {} : { beforeSequence };
        const all = await m.audit.list(userId, { limit: Number.MAX_SAFE_INTEGER, ...before });
        return all.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
      },
    },
  })),
  mutant(
    'audit: absent optional fields read back as keys holding undefined',
    ['audit > leaves absent optional fields absent'],
    (m) => ({
      audit: {
        ...m.audit,
        list: async (userId, options) =>
          (await m.audit.list(userId, options)).map(
            (e) => fill(e, ['ip', 'userAgent', 'sessionId', 'data'], undefined) ?? e,
          ),
      },
    }),
  ),
  mutant('audit: append keeps the caller’s data object', ['copies what append got'], (m) => {
    const data = new Map<number, JsonObject | undefined>();
    return {
      audit: {
        ...m.audit,
        async append(event) {
          const sequence = await m.audit.append(event);
          data.set(sequence, event.data);
          return sequence;
        },
        list: async (userId, options) =>
          (await m.audit.list(userId, options)).map((e) => {
            const kept = data.get(e.sequence);
            return kept === undefined ? e : { ...e, data: kept };
          }),
      },
    };
  }),
];
