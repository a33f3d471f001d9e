import type { SessionRecord, SessionStore } from '../types/sessions.js';
import { copy, type Purgeable } from './copy.js';

/** True while `now` is before both the idle and the absolute expiry. */
export function isSessionLive(session: SessionRecord, now: number): boolean {
  return now < session.idleExpiresAt && now < session.absoluteExpiresAt;
}

/**
 * The sessions store of `memoryStorage()`. Each compare-and-set (touch, rotation) reads and
 * writes without an `await` in between, so it is atomic in one process.
 */
export function memorySessionStore(): SessionStore & Purgeable {
  const byId = new Map<string, SessionRecord>();
  const live = (id: string, now: number) => {
    const session = byId.get(id);
    return session !== undefined && isSessionLive(session, now) ? session : undefined;
  };

  return {
    async create(session) {
      byId.set(session.id, copy(session));
    },

    async get(id, now) {
      const session = live(id, now);
      return session === undefined ? undefined : copy(session);
    },

    async touch(id, { now, idleExpiresAt }) {
      const session = live(id, now);
      // Only a live session is written: a touch that loses a race with delete stays lost.
      if (session === undefined) return 'not_found';
      byId.set(id, {
        ...session,
        lastSeenAt: Math.max(session.lastSeenAt, now),
        idleExpiresAt: Math.max(
          session.idleExpiresAt,
          Math.min(idleExpiresAt, session.absoluteExpiresAt),
        ),
      });
      return 'touched';
    },

    async rotateRefresh(id, { expectedHash, newHash, now }) {
      const session = live(id, now);
      if (session === undefined) return 'not_found';
      if (session.refreshHash === expectedHash) {
        byId.set(id, {
          ...session,
          refreshHash: newHash,
          previousRefreshHashes: [...session.previousRefreshHashes, expectedHash],
        });
        return 'rotated';
      }
      // A hash this session already replaced: the token was stolen or replayed.
      return session.previousRefreshHashes.includes(expectedHash) ? 'reused' : 'not_found';
    },

    async markFresh(id, { freshUntil, amr, secondFactorAt, credentialGeneration, now }) {
      const session = live(id, now);
      if (session === undefined) return 'not_found';
      byId.set(id, {
        ...session,
        freshUntil,
        amr: amr === undefined ? session.amr : [...amr],
        ...(secondFactorAt === undefined ? {} : { secondFactorAt }),
        ...(credentialGeneration === undefined ? {} : { credentialGeneration }),
      });
      return 'updated';
    },

    async listByUser(userId, now) {
      return [...byId.values()]
        .filter((s) => s.userId === userId && isSessionLive(s, now))
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },

    async delete(id) {
      byId.delete(id);
    },

    async deleteByUser(userId, options = {}) {
      for (const [id, s] of byId) {
        if (s.userId === userId && id !== options.exceptId) byId.delete(id);
      }
    },

    purgeExpired(now) {
      for (const [id, s] of byId) if (!isSessionLive(s, now)) byId.delete(id);
    },
  };
}
