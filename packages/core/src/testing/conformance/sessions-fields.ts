import { expect } from 'vitest';
import type { SessionRecord } from '../../storage/types/sessions.js';
import {
  type AddCheck,
  expectSameKeys,
  GENERATION,
  HOUR,
  MINUTE,
  newSession,
  startTime,
} from './fixtures.js';

/** A session record as a careless caller treats it. */
type Mutable = {
  amr: string[];
  previousRefreshHashes: string[];
  freshUntil: number;
  credentialGeneration: number;
};

/** `session` without its optional fields (a jwt session without a cookie secret, say). */
function bare(session: SessionRecord): SessionRecord {
  const { secretHash: _s, refreshHash: _r, ip: _i, userAgent: _u, ...rest } = session;
  return rest;
}

/**
 * Registers the checks of `sessions` on its fields: `credentialGeneration`, `secondFactorAt`
 * and `impersonatedBy` kept exactly, absent optional fields, and copies.
 */
export function sessionFieldChecks(check: AddCheck): void {
  check(
    'keeps impersonatedBy through create, get, listByUser, and every write (touch, markFresh, rotateRefresh)',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      // The admin is a user of their own: a schema may refer to users.
      const adminId = await ctx.owner();
      const s = newSession(userId, t, {
        impersonatedBy: adminId,
        absoluteExpiresAt: t + HOUR,
        idleExpiresAt: t + HOUR,
        refreshHash: 'h0',
      });
      const own = newSession(userId, t - 1);
      await sessions.create(s);
      await sessions.create(own);
      expect(await sessions.get(s.id, t)).toEqual(s);
      expect(await sessions.listByUser(userId, t)).toEqual([s, own]);
      expect(await sessions.touch(s.id, { now: t + 1, idleExpiresAt: t + 2 * HOUR })).toBe(
        'touched',
      );
      expect(
        await sessions.markFresh(s.id, {
          freshUntil: t + 2,
          amr: ['pwd'],
          secondFactorAt: t + 2,
          credentialGeneration: GENERATION + 1,
          now: t + 2,
        }),
      ).toBe('updated');
      const rotation = { expectedHash: 'h0', newHash: 'h1', now: t + 3 };
      expect(await sessions.rotateRefresh(s.id, rotation)).toBe('rotated');
      const after = await sessions.get(s.id, t + 3);
      expect(after?.impersonatedBy).toBe(adminId);
      // The touch is capped at the absolute expiry: an impersonation's hour never grows.
      expect(after).toMatchObject({ idleExpiresAt: t + HOUR, absoluteExpiresAt: t + HOUR });
      const [listed, plain] = await sessions.listByUser(userId, t + 3);
      expect(listed?.impersonatedBy).toBe(adminId);
      expectSameKeys(plain, own, 'sessions.listByUser beside an impersonation');
    },
  );

  check(
    'keeps credentialGeneration (2^52 + 3) and secondFactorAt through create, get and listByUser',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const s = newSession(userId, t, { secondFactorAt: t - MINUTE });
      await sessions.create(s);
      const got = await sessions.get(s.id, t);
      expect(got).toEqual(s);
      expect(got?.credentialGeneration).toBe(GENERATION);
      expect(got?.secondFactorAt).toBe(t - MINUTE);
      const [listed] = await sessions.listByUser(userId, t);
      expect(listed).toEqual(s);
      expect(listed?.credentialGeneration).toBe(GENERATION);
      // Whatever the generation, the store answers it as stored: core decides what it means.
      const zero = newSession(userId, t - 1, { credentialGeneration: 0 });
      await sessions.create(zero);
      expect((await sessions.get(zero.id, t))?.credentialGeneration).toBe(0);
      expect((await sessions.listByUser(userId, t)).map((x) => x.credentialGeneration)).toEqual([
        GENERATION,
        0,
      ]);
    },
  );

  check(
    'leaves absent optional fields absent (no null, no undefined key), also after writes',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const s = bare(newSession(userId, t));
      await sessions.create(s);
      expectSameKeys(await sessions.get(s.id, t), s, 'sessions.get');
      expectSameKeys((await sessions.listByUser(userId, t))[0], s, 'sessions.listByUser');
      const touch = { now: t + 1, idleExpiresAt: t + 2 * HOUR };
      expect(await sessions.touch(s.id, touch)).toBe('touched');
      expectSameKeys(await sessions.get(s.id, t), s, 'sessions.get after touch');
      expect(await sessions.markFresh(s.id, { freshUntil: t + MINUTE, now: t + 2 })).toBe(
        'updated',
      );
      expectSameKeys(await sessions.get(s.id, t), s, 'sessions.get after markFresh');
      const jwt = { ...bare(newSession(userId, t)), refreshHash: 'h0' };
      await sessions.create(jwt);
      const rotation = { expectedHash: 'h0', newHash: 'h1', now: t };
      expect(await sessions.rotateRefresh(jwt.id, rotation)).toBe('rotated');
      expectSameKeys(await sessions.get(jwt.id, t), jwt, 'sessions.get after rotateRefresh');
    },
  );

  check(
    'returns copies: mutating what create or markFresh got, or what get and listByUser returned, changes nothing',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const s = newSession(userId, t, { previousRefreshHashes: ['h-old'] });
      const input = structuredClone(s) as unknown as Mutable;
      await sessions.create(input as unknown as SessionRecord);
      input.amr.push('by caller');
      input.previousRefreshHashes.push('h-caller');
      input.freshUntil = 0;
      input.credentialGeneration = 1;
      expect(await sessions.get(s.id, t)).toEqual(s);

      const amr = ['pwd', 'otp'];
      expect(await sessions.markFresh(s.id, { freshUntil: s.freshUntil, amr, now: t })).toBe(
        'updated',
      );
      amr.push('by caller');
      const expected = { ...s, amr: ['pwd', 'otp'] };
      expect(await sessions.get(s.id, t)).toEqual(expected);

      const read = (await sessions.get(s.id, t)) as unknown as Mutable;
      read.previousRefreshHashes.push('h-reader');
      read.amr.length = 0;
      read.credentialGeneration = 1;
      const listed = (await sessions.listByUser(userId, t))[0] as unknown as Mutable;
      listed.previousRefreshHashes.length = 0;
      listed.amr.push('lister');
      expect(await sessions.get(s.id, t)).toEqual(expected);
      expect(await sessions.listByUser(userId, t)).toEqual([expected]);
      const rotation = { expectedHash: 'h-old', newHash: 'hx', now: t };
      expect(await sessions.rotateRefresh(s.id, rotation)).toBe('reused');
    },
  );
}
