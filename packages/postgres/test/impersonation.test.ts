/**
 * Sessions opened by impersonation on a real PostgreSQL server: migration 0009's column, the
 * `impersonatedBy` round trip through every read and write (the join of `sessionWithUser`
 * included), and the whole flow of `auth.admin.users.impersonate` over this storage.
 */
import type { SessionRecord } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, type PostgresStorage, postgresStorage } from '../src/index.js';
import { authOver, CTX, signUpAndIn } from './auth-helpers.js';
import { connectPool, GENERATION, live, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
let pool: Pool | undefined;
let pg: PostgresStorage;

beforeAll(async () => {
  pool = await connectPool();
  await migrate(fromPool(pool), { schema });
  pg = postgresStorage(fromPool(pool), { schema });
});
afterAll(() => release(pool, schema));

const t = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
const HOUR = 3_600_000;

const session = (userId: string, id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  userId,
  secretHash: 'h'.repeat(43),
  previousRefreshHashes: [],
  createdAt: t,
  lastSeenAt: t,
  idleExpiresAt: t + HOUR,
  absoluteExpiresAt: t + HOUR,
  freshUntil: t,
  ip: '203.0.113.9',
  userAgent: 'vitest',
  amr: ['pwd'],
  credentialGeneration: GENERATION,
  ...over,
});

describe('migration 0009', () => {
  it('adds sessions.impersonated_by: text, nullable, no default', async () => {
    const { rows } = await (pool as Pool).query(
      `SELECT data_type AS type, is_nullable AS nullable, column_default AS def
         FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = 'sessions' AND column_name = 'impersonated_by'`,
      [schema],
    );
    expect(rows).toEqual([{ type: 'text', nullable: 'YES', def: null }]);
  });
});

describe('impersonatedBy on PostgreSQL', () => {
  it('round-trips through create, get, listByUser and sessionWithUser, and survives every write', async () => {
    const user = makeUser(t);
    const admin = makeUser(t);
    await pg.users.create(user);
    await pg.users.create(admin);
    const marked = session(user.id, `imp-${user.id}`, {
      impersonatedBy: admin.id,
      refreshHash: 'r0',
    });
    const own = session(user.id, `own-${user.id}`, { createdAt: t - 1 });
    await pg.sessions.create(marked);
    await pg.sessions.create(own);
    expect(await pg.sessions.get(marked.id, t)).toEqual(marked);
    expect(await pg.sessions.listByUser(user.id, t)).toEqual([marked, own]);
    // A session of the user's own has no key at all (not null, not undefined).
    expect(Object.keys((await pg.sessions.get(own.id, t)) ?? {})).not.toContain('impersonatedBy');
    expect(await pg.sessionWithUser(marked.id, t)).toEqual({
      session: live(marked),
      user: await pg.users.getById(user.id),
    });

    expect(await pg.sessions.touch(marked.id, { now: t + 1, idleExpiresAt: t + 5 * HOUR })).toBe(
      'touched',
    );
    expect(
      await pg.sessions.markFresh(marked.id, {
        freshUntil: t + 2,
        amr: ['pwd'],
        secondFactorAt: t + 2,
        credentialGeneration: 7,
        now: t + 2,
      }),
    ).toBe('updated');
    expect(
      await pg.sessions.rotateRefresh(marked.id, { expectedHash: 'r0', newHash: 'r1', now: t + 3 }),
    ).toBe('rotated');
    const after = await pg.sessions.get(marked.id, t + 3);
    expect(after).toMatchObject({
      impersonatedBy: admin.id,
      // The touch is capped at the absolute expiry: the hour never grows.
      idleExpiresAt: t + HOUR,
      absoluteExpiresAt: t + HOUR,
      credentialGeneration: 7,
    });
    expect((await pg.sessionWithUser(marked.id, t + 3))?.session).toEqual(live(after));
  });

  it('carries a whole impersonation: marked session, validation, stop and both audit trails', async () => {
    const { auth, mailer } = await authOver(pg);
    try {
      const admin = await signUpAndIn(auth, mailer, `admin-${schema}@example.test`);
      await pg.users.update(admin.userId, { roles: ['admin'], updatedAt: Date.now() });
      const target = await signUpAndIn(auth, mailer, `ada-${schema}@example.test`);
      const actor = { userId: admin.userId, sessionId: admin.sessionToken.split('.')[0] ?? '' };
      const started = await auth.admin.users.impersonate(actor, target.userId, CTX);
      if (started.tokens.strategy !== 'cookie') throw new Error('expected a cookie session');
      const seen = await auth.validateSession(started.tokens.sessionToken);
      expect(seen).toMatchObject({
        user: { id: target.userId },
        session: { id: started.session.id, impersonatedBy: admin.userId },
      });
      // Stored as written, and listed among the user's sessions.
      expect((await pg.sessions.get(started.session.id, Date.now()))?.impersonatedBy).toBe(
        admin.userId,
      );
      const listed = await auth.sessions.list(target.userId);
      expect(listed.map((s) => s.impersonatedBy).sort()).toEqual([admin.userId, null].sort());
      // Racing stops: both resolve, the stop is audited once.
      const caller = { userId: target.userId, sessionId: started.session.id };
      const outcomes = await Promise.allSettled([
        auth.admin.impersonation.stop(caller, CTX),
        auth.admin.impersonation.stop(caller, CTX),
      ]);
      expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
      await expect(auth.validateSession(started.tokens.sessionToken)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      for (const userId of [target.userId, admin.userId]) {
        const actions = (await auth.audit.list(userId))
          .filter((e) => e.type === 'admin.action')
          .map((e) => e.data);
        expect(actions).toEqual([
          expect.objectContaining({ action: 'impersonation.stop', adminId: admin.userId }),
          expect.objectContaining({ action: 'impersonation.start', adminId: admin.userId }),
        ]);
      }
    } finally {
      await auth.close();
    }
  });
});
