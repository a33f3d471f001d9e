import type { LiveSessionRecord, SessionRecord, SessionStore } from '@portcullis/core/storage';
import { arg, num, type StoreContext } from './context.js';

/** True while `now` is before both the idle and the absolute expiry. */
export function isSessionLive(session: LiveSessionRecord, now: number): boolean {
  return now < session.idleExpiresAt && now < session.absoluteExpiresAt;
}

/** The fields `get` reads, in order: everything but the `p:<hash>` membership fields. */
const FIELDS = [
  'base',
  'idle',
  'abs',
  'seen',
  'fresh',
  'amr',
  'refresh',
  'prev',
  'gen',
  'second',
] as const;

/**
 * A session as hash fields. The fields the scripts read or change are separate (`idle`, `abs`,
 * `seen`, `fresh`, `amr`, `refresh`, `prev`: the replaced hashes as a JSON array, in order, and
 * `p:<hash>` for each, so a script checks reuse in one lookup; `gen` and `second`, the credential
 * generation and `secondFactorAt`, which `markFresh` sets); everything else is JSON in `base`,
 * which no script parses, so it comes back exactly. Numbers are decimal strings that no script
 * does arithmetic on, so a generation up to 2^53 - 1 comes back exactly too.
 */
function encodeSession(session: SessionRecord): string[] {
  const {
    lastSeenAt,
    idleExpiresAt,
    absoluteExpiresAt,
    freshUntil,
    amr,
    refreshHash,
    previousRefreshHashes,
    credentialGeneration,
    secondFactorAt,
    ...base
  } = session;
  const fields = [
    ['base', JSON.stringify(base)],
    ['idle', arg(idleExpiresAt)],
    ['abs', arg(absoluteExpiresAt)],
    ['seen', arg(lastSeenAt)],
    ['fresh', arg(freshUntil)],
    ['amr', JSON.stringify(amr)],
    ['prev', JSON.stringify(previousRefreshHashes)],
    // A caller that predates generations gives none: 0, as core's generationOf reads it.
    ['gen', arg(credentialGeneration ?? 0)],
    ...previousRefreshHashes.map((hash) => [`p:${hash}`, '1']),
  ];
  if (refreshHash !== undefined) fields.push(['refresh', refreshHash]);
  if (secondFactorAt !== undefined) fields.push(['second', arg(secondFactorAt)]);
  return fields.flat();
}

/** The session in an `HMGET` reply of {@link FIELDS}, or `undefined` for a missing key. */
function decodeSession(values: readonly (string | null)[]): SessionRecord | undefined {
  const [base, idle, abs, seen, fresh, amr, refresh, prev, gen, second] = values;
  if (typeof base !== 'string' || typeof amr !== 'string' || typeof prev !== 'string') {
    return undefined;
  }
  return {
    ...(JSON.parse(base) as Pick<SessionRecord, 'id' | 'userId' | 'createdAt'>),
    ...(typeof refresh === 'string' ? { refreshHash: refresh } : {}),
    previousRefreshHashes: JSON.parse(prev) as string[],
    lastSeenAt: num(seen) ?? 0,
    idleExpiresAt: num(idle) ?? 0,
    absoluteExpiresAt: num(abs) ?? 0,
    freshUntil: num(fresh) ?? 0,
    amr: JSON.parse(amr) as string[],
    // A session written before generations existed has no `gen`: the first generation, 0.
    credentialGeneration: num(gen) ?? 0,
    ...(typeof second === 'string' ? { secondFactorAt: Number(second) } : {}),
  };
}

/**
 * Sessions over Redis. `session:<id>` is a hash that expires (garbage collection only) a grace
 * period after the session's own expiry; `user-sessions:<userId>` is a sorted set of the user's
 * session ids scored by their absolute expiry, written before the session and pruned only of
 * entries past it. `touch`, `rotateRefresh` and `markFresh` are one Lua script each, on the
 * session's key alone.
 */
export function redisSessionStore({ client, run, keys, graceMs }: StoreContext): SessionStore {
  const read = async (id: string) => decodeSession(await client.hmget(keys.session(id), ...FIELDS));

  return {
    async create(session) {
      // Index first, record second: a crash in between leaves an entry that points at nothing,
      // never a session that "log out everywhere" cannot find.
      const until = session.absoluteExpiresAt;
      await run.indexAdd(keys.userSessions(session.userId), session.id, arg(until), arg(graceMs));
      const collectAt = Math.min(session.idleExpiresAt, until) + graceMs;
      await run.put(keys.session(session.id), 'replace', arg(collectAt), ...encodeSession(session));
    },

    async get(id, now) {
      const session = await read(id);
      return session !== undefined && isSessionLive(session, now) ? session : undefined;
    },

    async touch(id, { now, idleExpiresAt }) {
      const key = keys.session(id);
      const touched = await run.sessionTouch(key, arg(now), arg(idleExpiresAt), arg(graceMs));
      return Number(touched) === 1 ? 'touched' : 'not_found';
    },

    async rotateRefresh(id, { expectedHash, newHash, now }) {
      const result = await run.sessionRotate(keys.session(id), arg(now), expectedHash, newHash);
      return result === 'rotated' || result === 'reused' ? result : 'not_found';
    },

    async markFresh(id, { freshUntil, amr, secondFactorAt, credentialGeneration, now }) {
      // The fields to set, as pairs: one script sets them all on a live session, or none.
      const fields = ['fresh', arg(freshUntil)];
      if (amr !== undefined) fields.push('amr', JSON.stringify(amr));
      if (secondFactorAt !== undefined) fields.push('second', arg(secondFactorAt));
      if (credentialGeneration !== undefined) fields.push('gen', arg(credentialGeneration));
      const updated = await run.sessionMarkFresh(keys.session(id), arg(now), ...fields);
      return Number(updated) === 1 ? 'updated' : 'not_found';
    },

    async listByUser(userId, now) {
      const index = keys.userSessions(userId);
      // Entries past their absolute expiry are dead for good; nothing else is ever removed.
      await client.zremrangebyscore(index, '-inf', arg(now));
      const ids = await client.zrange(index, '0', '-1');
      const found = await Promise.all(ids.map(read));
      return found
        .filter((s): s is SessionRecord => s !== undefined && isSessionLive(s, now))
        .sort((a, b) => b.createdAt - a.createdAt);
    },

    async delete(id) {
      await client.del(keys.session(id));
    },

    async deleteByUser(userId, options = {}) {
      // The index keeps its entries: a session being created now has its entry before its
      // record, and removing entries here could hide it from the next call.
      const ids = await client.zrange(keys.userSessions(userId), '0', '-1');
      const doomed = ids.filter((id) => id !== options.exceptId);
      await Promise.all(doomed.map((id) => client.del(keys.session(id))));
    },
  };
}
