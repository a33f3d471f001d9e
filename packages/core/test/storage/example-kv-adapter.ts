// The worked example of docs/custom-storage.md, quoted there verbatim (a test keeps the two
// identical). In your own code, import memoryStorage from '@portcullis/core' and the types
// from '@portcullis/core/storage'.
import { memoryStorage } from '../../src/storage/memory/index.js';
import type {
  OneTimeTokenRecord,
  SessionRecord,
  SessionStore,
  Storage,
  TokenConsumeResult,
  TokenStore,
} from '../../src/storage/types.js';

/** A small async key-value store with one atomic primitive: compare-and-set. */
export interface KeyValue {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Writes `next` (deletes when `undefined`) only if the value is still `expected`. */
  compareAndSet(
    key: string,
    expected: string | undefined,
    next: string | undefined,
  ): Promise<boolean>;
}

/** A `Map` behind the KeyValue interface. Each call yields, as a network round trip would. */
export function mapKeyValue(): KeyValue {
  const map = new Map<string, string>();
  const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    async get(key) {
      await roundTrip();
      return map.get(key);
    },
    async set(key, value) {
      await roundTrip();
      map.set(key, value);
    },
    async delete(key) {
      await roundTrip();
      map.delete(key);
    },
    async compareAndSet(key, expected, next) {
      await roundTrip();
      // From here to the write there is no await: this is the one atomic step.
      if (map.get(key) !== expected) return false;
      if (next === undefined) map.delete(key);
      else map.set(key, next);
      return true;
    },
  };
}

/** What a change decides: a result, and maybe a value to write (`null` deletes). */
type Change<T, R> = { result: R } | { result: R; next: T | null };

/** Read, decide, compare-and-set; start again if someone wrote in between. */
async function update<T, R>(kv: KeyValue, key: string, decide: (value?: T) => Change<T, R>) {
  for (;;) {
    const raw = await kv.get(key);
    const change = decide(raw === undefined ? undefined : (JSON.parse(raw) as T));
    if (!('next' in change)) return change.result;
    const next = change.next === null ? undefined : JSON.stringify(change.next);
    if (await kv.compareAndSet(key, raw, next)) return change.result;
  }
}

async function read<T>(kv: KeyValue, key: string): Promise<T | undefined> {
  const raw = await kv.get(key);
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

/**
 * Sessions: `session:{id}` holds the record; `user-sessions:{userId}` lists `{ id, until }`
 * (the absolute expiry). An index entry is dropped only once its session is dead for good
 * (`now >= until`), never because the record is missing: a session being created writes its
 * index entry first and its record second, and must not be pruned in between, or "log out
 * everywhere" could miss it.
 */
function kvSessions(kv: KeyValue): SessionStore {
  type Entry = { id: string; until: number };
  const key = (id: string) => `session:${id}`;
  const index = (userId: string) => `user-sessions:${userId}`;
  const live = (s: SessionRecord | undefined, now: number): s is SessionRecord =>
    s !== undefined && now < s.idleExpiresAt && now < s.absoluteExpiresAt;

  return {
    async create(session) {
      await update<Entry[], void>(kv, index(session.userId), (entries = []) => ({
        result: undefined,
        next: [...entries, { id: session.id, until: session.absoluteExpiresAt }],
      }));
      await kv.set(key(session.id), JSON.stringify(session));
    },
    async get(id, now) {
      const session = await read<SessionRecord>(kv, key(id));
      return live(session, now) ? session : undefined;
    },
    touch: (id, { now, idleExpiresAt }) =>
      update<SessionRecord, 'touched' | 'not_found'>(kv, key(id), (s) => {
        // Absent or dead: write nothing, so a touch never resurrects a deleted session.
        if (!live(s, now)) return { result: 'not_found' };
        const capped = Math.min(idleExpiresAt, s.absoluteExpiresAt);
        const lastSeenAt = Math.max(s.lastSeenAt, now);
        const next = { ...s, lastSeenAt, idleExpiresAt: Math.max(s.idleExpiresAt, capped) };
        return { result: 'touched', next };
      }),
    rotateRefresh: (id, { expectedHash, newHash, now }) =>
      update<SessionRecord, 'rotated' | 'reused' | 'not_found'>(kv, key(id), (s) => {
        if (!live(s, now)) return { result: 'not_found' };
        if (s.previousRefreshHashes.includes(expectedHash)) return { result: 'reused' };
        if (s.refreshHash !== expectedHash) return { result: 'not_found' };
        const previousRefreshHashes = [...s.previousRefreshHashes, expectedHash];
        return { result: 'rotated', next: { ...s, refreshHash: newHash, previousRefreshHashes } };
      }),
    markFresh: (id, { freshUntil, amr, secondFactorAt, credentialGeneration, now }) =>
      update<SessionRecord, 'updated' | 'not_found'>(kv, key(id), (s) => {
        if (!live(s, now)) return { result: 'not_found' };
        // Each option left out keeps its stored value: one write, whatever was given.
        const generation = credentialGeneration ?? s.credentialGeneration;
        const secondFactor = secondFactorAt === undefined ? {} : { secondFactorAt };
        const next = { ...s, ...secondFactor, freshUntil, amr: amr ?? s.amr };
        return { result: 'updated', next: { ...next, credentialGeneration: generation } };
      }),
    async listByUser(userId, now) {
      const entries =
        (await update<Entry[], Entry[]>(kv, index(userId), (all = []) => {
          const kept = all.filter((e) => now < e.until);
          return { result: kept, next: kept };
        })) ?? [];
      const found = await Promise.all(entries.map((e) => read<SessionRecord>(kv, key(e.id))));
      return found.filter((s) => live(s, now)).sort((a, b) => b.createdAt - a.createdAt);
    },
    delete: (id) => kv.delete(key(id)),
    async deleteByUser(userId, { exceptId } = {}) {
      const entries = (await read<Entry[]>(kv, index(userId))) ?? [];
      // Entries stay until they expire: a session created during this call is still listed.
      await Promise.all(entries.filter((e) => e.id !== exceptId).map((e) => kv.delete(key(e.id))));
    },
  };
}

/** Tokens: `token:["purpose","selector"]` holds the record; `user-tokens:{userId}` the keys. */
function kvTokens(kv: KeyValue): TokenStore {
  const key = (purpose: string, selector: string) => `token:${JSON.stringify([purpose, selector])}`;
  const index = (userId: string) => `user-tokens:${userId}`;
  type Entry = { key: string; purpose: string };

  return {
    async create(token) {
      const entry = { key: key(token.purpose, token.selector), purpose: token.purpose };
      // A token of no user (userId absent) is in no index: no deleteByUser finds it.
      if (token.userId !== undefined) {
        await update<Entry[], void>(kv, index(token.userId), (entries = []) => ({
          result: undefined,
          next: [...entries, entry],
        }));
      }
      const created = await kv.compareAndSet(entry.key, undefined, JSON.stringify(token));
      return created ? 'created' : 'conflict';
    },
    consume: (purpose, selector, { verifierHash, now }) =>
      update<OneTimeTokenRecord, TokenConsumeResult>(kv, key(purpose, selector), (token) => {
        // A wrong verifier writes nothing: guessing cannot burn someone else's link.
        if (token?.verifierHash !== verifierHash) return { result: { status: 'not_found' } };
        if (now >= token.expiresAt) return { result: { status: 'expired' }, next: null };
        return { result: { status: 'ok', record: token }, next: null };
      }),
    recordFailure: (purpose, selector, { maxAttempts }) =>
      update<OneTimeTokenRecord, number>(kv, key(purpose, selector), (token) => {
        if (token === undefined) return { result: 0 };
        const attempts = token.attempts + 1;
        if (attempts >= maxAttempts) return { result: 0, next: null };
        return { result: maxAttempts - attempts, next: { ...token, attempts } };
      }),
    async get(purpose, selector, now) {
      const token = await read<OneTimeTokenRecord>(kv, key(purpose, selector));
      return token !== undefined && now < token.expiresAt ? token : undefined;
    },
    delete: (purpose, selector) => kv.delete(key(purpose, selector)),
    async deleteByUser(userId, { purpose } = {}) {
      const entries = (await read<Entry[]>(kv, index(userId))) ?? [];
      const doomed = entries.filter((e) => purpose === undefined || e.purpose === purpose);
      await Promise.all(doomed.map((e) => kv.delete(e.key)));
      await update<Entry[], void>(kv, index(userId), (now = []) => ({
        result: undefined,
        next: now.filter((e) => !doomed.some((d) => d.key === e.key)),
      }));
    },
  };
}

/** Sessions and tokens over `kv`; the other stores stay in memory in this example. */
export function kvStorage(kv: KeyValue): Storage {
  const { users, accounts, passkeys, twoFactor, rateLimits, audit } = memoryStorage();
  const [sessions, tokens] = [kvSessions(kv), kvTokens(kv)];
  return { users, accounts, passkeys, twoFactor, rateLimits, audit, sessions, tokens };
}
