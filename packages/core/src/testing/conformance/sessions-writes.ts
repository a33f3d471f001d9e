import { expect } from 'vitest';
import {
  type AddCheck,
  expectSameKeys,
  GENERATION,
  HOUR,
  MINUTE,
  newSession,
  RACERS,
  race,
  startTime,
  tally,
  uid,
} from './fixtures.js';

/**
 * Racer `i`'s share of a permutation of `0 .. RACERS - 1` (7 and 13 are prime to RACERS): the
 * greatest value goes to neither the first racer nor the last, so neither "first write wins"
 * nor "last write wins" keeps it.
 */
const spread = (i: number, factor: 7 | 13) => (i * factor) % RACERS;

/**
 * Registers the checks of the `sessions` writes added with credential generations and of their
 * races: `markFresh` with `secondFactorAt` and `credentialGeneration`, `markFresh` and `touch`
 * under concurrency, long refresh-rotation histories, and `deleteByUser` over many sessions.
 */
export function sessionWriteChecks(check: AddCheck): void {
  check(
    'markFresh sets secondFactorAt and credentialGeneration when given, and leaves each alone when absent',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const s = newSession(await ctx.owner(), t);
      await sessions.create(s);
      const fresh = (options: object, now: number) =>
        sessions.markFresh(s.id, { freshUntil: now + 10 * MINUTE, now, ...options });
      expect(await fresh({}, t)).toBe('updated');
      let expected = { ...s, freshUntil: t + 10 * MINUTE };
      expect(await sessions.get(s.id, t)).toEqual(expected);
      // No secondFactorAt was given: none is stored, not even as a key holding undefined.
      expectSameKeys(await sessions.get(s.id, t), s, 'sessions.get after markFresh');

      const next = GENERATION + 2;
      const stepUp = { amr: ['pwd', 'otp'], secondFactorAt: t + 1, credentialGeneration: next };
      expect(await fresh(stepUp, t + 1)).toBe('updated');
      expected = { ...s, ...stepUp, freshUntil: t + 1 + 10 * MINUTE };
      expect(await sessions.get(s.id, t)).toEqual(expected);
      expect((await sessions.get(s.id, t))?.credentialGeneration).toBe(next);

      expect(await fresh({}, t + 2)).toBe('updated');
      expected = { ...expected, freshUntil: t + 2 + 10 * MINUTE };
      expect(await sessions.get(s.id, t)).toEqual(expected);
      expect(await fresh({ secondFactorAt: t + 3 }, t + 3)).toBe('updated');
      expected = { ...expected, secondFactorAt: t + 3, freshUntil: t + 3 + 10 * MINUTE };
      expect(await sessions.get(s.id, t)).toEqual(expected);
      expect(await fresh({ credentialGeneration: 0 }, t + 4)).toBe('updated');
      expected = { ...expected, credentialGeneration: 0, freshUntil: t + 4 + 10 * MINUTE };
      expect(await sessions.get(s.id, t)).toEqual(expected);
      expect(await sessions.listByUser(s.userId, t)).toEqual([expected]);
    },
  );

  check(
    'markFresh of a dead, deleted or missing session is not_found and writes nothing',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const idle = newSession(userId, t);
      const capped = newSession(userId, t, {
        idleExpiresAt: t + 2 * HOUR,
        absoluteExpiresAt: t + HOUR,
      });
      for (const s of [idle, capped]) await sessions.create(s);
      const everything = {
        freshUntil: t + 3 * HOUR,
        amr: ['pwd', 'otp'],
        secondFactorAt: t + HOUR,
        credentialGeneration: GENERATION + 2,
        now: t + HOUR,
      };
      expect(await sessions.markFresh(idle.id, everything)).toBe('not_found');
      expect(await sessions.markFresh(capped.id, everything)).toBe('not_found');
      // Read at an earlier now, both are exactly as created.
      expect(await sessions.get(idle.id, t)).toEqual(idle);
      expect(await sessions.get(capped.id, t)).toEqual(capped);

      await sessions.delete(idle.id);
      expect(await sessions.markFresh(idle.id, { ...everything, now: t })).toBe('not_found');
      expect(await sessions.get(idle.id, t)).toBeUndefined();
      expect(await sessions.listByUser(userId, t)).toEqual([capped]);
      const missing = uid('missing');
      expect(await sessions.markFresh(missing, { ...everything, now: t })).toBe('not_found');
      expect(await sessions.get(missing, t)).toBeUndefined();
    },
  );

  check('a markFresh racing a delete never brings the session back', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    for (let round = 0; round < 5; round += 1) {
      const s = newSession(await ctx.owner(), t);
      await sessions.create(s);
      // The delete starts in the middle, so some markFresh calls read before it and write after.
      await race<unknown>(RACERS, (i) =>
        i === RACERS / 2
          ? sessions.delete(s.id)
          : sessions.markFresh(s.id, {
              freshUntil: t + HOUR,
              secondFactorAt: t + i,
              credentialGeneration: GENERATION + 2,
              now: t + i,
            }),
      );
      expect(await sessions.get(s.id, t)).toBeUndefined();
      expect(await sessions.listByUser(s.userId, t)).toEqual([]);
    }
  });

  check(`${RACERS} concurrent touches keep the latest idle expiry and lastSeenAt`, async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const s = newSession(await ctx.owner(), t);
    await sessions.create(s);
    const results = await race(RACERS, (i) =>
      sessions.touch(s.id, {
        now: t + spread(i, 7) * 1000,
        idleExpiresAt: t + HOUR + spread(i, 13) * MINUTE,
      }),
    );
    expect(tally(results).get('touched')).toBe(RACERS);
    const latest = {
      lastSeenAt: t + (RACERS - 1) * 1000,
      idleExpiresAt: t + HOUR + (RACERS - 1) * MINUTE,
    };
    expect(await sessions.get(s.id, t)).toEqual({ ...s, ...latest });
    // A slow request that arrives last, with an earlier now, moves nothing back.
    expect(await sessions.touch(s.id, { now: t + 500, idleExpiresAt: t + HOUR })).toBe('touched');
    expect(await sessions.get(s.id, t)).toEqual({ ...s, ...latest });
  });

  check(
    'rotates the refresh hash ten times and still reports every replaced hash as reused',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const s = newSession(await ctx.owner(), t, { refreshHash: 'h0' });
      await sessions.create(s);
      const rotate = (expectedHash: string, newHash: string) =>
        sessions.rotateRefresh(s.id, { expectedHash, newHash, now: t + 1 });
      const hashes = Array.from({ length: 11 }, (_, i) => `h${i}`);
      for (let i = 0; i < 10; i += 1) expect(await rotate(`h${i}`, `h${i + 1}`)).toBe('rotated');
      // The first replaced hash matters most: a token stolen long ago and replayed now.
      for (let i = 0; i < 10; i += 1) expect(await rotate(`h${i}`, 'hx'), `h${i}`).toBe('reused');
      const stored = await sessions.get(s.id, t);
      expect(stored?.refreshHash).toBe('h10');
      expect([...(stored?.previousRefreshHashes ?? [])].sort()).toEqual(hashes.slice(0, 10).sort());
      expect(await rotate('h10', 'h11')).toBe('rotated');
      expect(await rotate('h0', 'hx')).toBe('reused');
    },
  );

  check(
    'deleteByUser removes all five of a user’s sessions but the one excepted, and no other user’s',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const mine = Array.from({ length: 5 }, (_, i) => newSession(userId, t + i));
      const theirs = Array.from({ length: 5 }, (_, i) => newSession(otherId, t + i));
      for (let i = 0; i < 5; i += 1) {
        for (const s of [mine[i], theirs[i]]) if (s !== undefined) await sessions.create(s);
      }
      const kept = mine[2];
      await sessions.deleteByUser(userId, { exceptId: kept?.id ?? '' });
      expect(await sessions.listByUser(userId, t)).toEqual([kept]);
      for (const s of mine) {
        expect(await sessions.get(s.id, t), s.id).toEqual(s === kept ? s : undefined);
      }
      await sessions.deleteByUser(userId);
      expect(await sessions.listByUser(userId, t)).toEqual([]);
      for (const s of mine) expect(await sessions.get(s.id, t), s.id).toBeUndefined();
      expect(await sessions.listByUser(otherId, t)).toEqual([...theirs].reverse());
    },
  );
}
