import { expect } from 'vitest';
import type { SessionRecord } from '../../storage/types/sessions.js';
import {
  type AddCheck,
  HOUR,
  MINUTE,
  newSession,
  RACERS,
  race,
  startTime,
  tally,
  uid,
} from './fixtures.js';

/** Registers the checks of `sessions`. */
export function sessionChecks(check: AddCheck): void {
  check('creates a session and gets it back while live', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const session = newSession(await ctx.owner(), t);
    await sessions.create(session);
    expect(await sessions.get(session.id, t)).toEqual(session);
    expect(await sessions.get(uid('missing'), t)).toBeUndefined();
  });

  check('treats now === idleExpiresAt as dead', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const session = newSession(await ctx.owner(), t);
    await sessions.create(session);
    expect(await sessions.get(session.id, t + HOUR - 1)).toEqual(session);
    expect(await sessions.get(session.id, t + HOUR)).toBeUndefined();
  });

  check('treats now === absoluteExpiresAt as dead, whatever the idle expiry', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const session = newSession(await ctx.owner(), t, {
      idleExpiresAt: t + 2 * HOUR,
      absoluteExpiresAt: t + HOUR,
    });
    await sessions.create(session);
    expect(await sessions.get(session.id, t + HOUR - 1)).toBeDefined();
    expect(await sessions.get(session.id, t + HOUR)).toBeUndefined();
  });

  check(
    'leaves a session out of get and listByUser from its absolute expiry on, idle or not',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      // Dead at t + HOUR by its absolute expiry, while its idle expiry is still ahead.
      const capped = newSession(userId, t, {
        idleExpiresAt: t + 2 * HOUR,
        absoluteExpiresAt: t + HOUR,
      });
      const live = newSession(userId, t + MINUTE);
      for (const s of [capped, live]) await sessions.create(s);
      expect(await sessions.listByUser(userId, t + HOUR - 1)).toEqual([live, capped]);
      expect(await sessions.listByUser(userId, t + HOUR)).toEqual([live]);
      expect(await sessions.get(capped.id, t + HOUR)).toBeUndefined();
      expect(await sessions.get(capped.id, t + HOUR + MINUTE)).toBeUndefined();
      expect(await sessions.listByUser(userId, t + HOUR + MINUTE - 1)).toEqual([live]);
    },
  );

  check(
    'touch slides the idle expiry, never back and never past the absolute expiry',
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const s = newSession(await ctx.owner(), t);
      await sessions.create(s);
      const touch = (now: number, idleExpiresAt: number) =>
        sessions.touch(s.id, { now, idleExpiresAt });
      expect(await touch(t + MINUTE, t + 2 * HOUR)).toBe('touched');
      expect(await sessions.get(s.id, t)).toMatchObject({
        idleExpiresAt: t + 2 * HOUR,
        lastSeenAt: t + MINUTE,
      });
      // A late, slower request asks for less: the stored expiry stays.
      expect(await touch(t + MINUTE, t + 90 * MINUTE)).toBe('touched');
      expect((await sessions.get(s.id, t))?.idleExpiresAt).toBe(t + 2 * HOUR);
      expect(await touch(t + 2 * MINUTE, t + 100 * HOUR)).toBe('touched');
      expect((await sessions.get(s.id, t))?.idleExpiresAt).toBe(s.absoluteExpiresAt);
    },
  );

  check('touch of a dead or missing session is not_found and writes nothing', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const s = newSession(await ctx.owner(), t);
    await sessions.create(s);
    expect(await sessions.touch(s.id, { now: t + HOUR, idleExpiresAt: t + 3 * HOUR })).toBe(
      'not_found',
    );
    expect(await sessions.get(s.id, t + HOUR)).toBeUndefined();
    expect(await sessions.touch(uid('missing'), { now: t, idleExpiresAt: t + HOUR })).toBe(
      'not_found',
    );
    expect(await sessions.get(s.id, t)).toEqual(s);
  });

  check('a touch racing a delete never brings the session back', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    for (let round = 0; round < 5; round += 1) {
      const s = newSession(await ctx.owner(), t);
      await sessions.create(s);
      // The delete starts in the middle of the touches, so some read before it and write after.
      await race<unknown>(RACERS, (i) =>
        i === RACERS / 2
          ? sessions.delete(s.id)
          : sessions.touch(s.id, { now: t + i, idleExpiresAt: t + 2 * HOUR }),
      );
      expect(await sessions.get(s.id, t)).toBeUndefined();
      expect(await sessions.touch(s.id, { now: t, idleExpiresAt: t + HOUR })).toBe('not_found');
      expect(await sessions.get(s.id, t)).toBeUndefined();
    }
  });

  check('rotates the refresh hash, then reports every replaced hash as reused', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const s = newSession(await ctx.owner(), t, { refreshHash: 'h0' });
    await sessions.create(s);
    const rotate = (expectedHash: string, newHash: string) =>
      sessions.rotateRefresh(s.id, { expectedHash, newHash, now: t + 1 });
    expect(await rotate('h0', 'h1')).toBe('rotated');
    expect(await rotate('h1', 'h2')).toBe('rotated');
    expect(await rotate('h0', 'hx')).toBe('reused');
    expect(await rotate('h1', 'hx')).toBe('reused');
    expect(await rotate('unknown', 'hx')).toBe('not_found');
    expect(await sessions.get(s.id, t)).toMatchObject({ refreshHash: 'h2' });
    expect(await rotate('h2', 'h3')).toBe('rotated');
  });

  check('rotateRefresh of a dead or missing session is not_found', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const s = newSession(await ctx.owner(), t, { refreshHash: 'h0' });
    await sessions.create(s);
    const options = { expectedHash: 'h0', newHash: 'h1', now: t + HOUR };
    expect(await sessions.rotateRefresh(s.id, options)).toBe('not_found');
    expect(await sessions.rotateRefresh(uid('missing'), { ...options, now: t })).toBe('not_found');
    expect((await sessions.get(s.id, t))?.refreshHash).toBe('h0');
  });

  check(
    `of ${RACERS} concurrent rotations with one hash, one is rotated and the rest reused`,
    async (ctx) => {
      const { sessions } = ctx.storage();
      const t = startTime();
      const s = newSession(await ctx.owner(), t, { refreshHash: 'h0' });
      await sessions.create(s);
      const results = await race(RACERS, (i) =>
        sessions.rotateRefresh(s.id, { expectedHash: 'h0', newHash: `h1-${i}`, now: t + 1 }),
      );
      expect(tally(results).get('rotated')).toBe(1);
      expect(tally(results).get('reused')).toBe(RACERS - 1);
      const winner = results.indexOf('rotated');
      expect(await sessions.get(s.id, t)).toMatchObject({ refreshHash: `h1-${winner}` });
    },
  );

  check('markFresh updates freshUntil and amr of a live session only', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const s = newSession(await ctx.owner(), t);
    await sessions.create(s);
    const freshUntil = t + 10 * MINUTE;
    expect(await sessions.markFresh(s.id, { freshUntil, amr: ['pwd', 'otp'], now: t })).toBe(
      'updated',
    );
    expect(await sessions.get(s.id, t)).toEqual({ ...s, freshUntil, amr: ['pwd', 'otp'] });
    expect(await sessions.markFresh(s.id, { freshUntil: t + 1, now: t })).toBe('updated');
    expect(await sessions.get(s.id, t)).toMatchObject({ freshUntil: t + 1, amr: ['pwd', 'otp'] });
    expect(await sessions.markFresh(s.id, { freshUntil, now: t + HOUR })).toBe('not_found');
  });

  check('lists a user’s live sessions only, newest first', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const older = newSession(userId, t);
    const newer = newSession(userId, t + MINUTE);
    const dead = newSession(userId, t + 2 * MINUTE, { idleExpiresAt: t + 3 * MINUTE });
    for (const s of [older, dead, newer, newSession(await ctx.owner(), t)])
      await sessions.create(s);
    expect(await sessions.listByUser(userId, t + 3 * MINUTE)).toEqual([newer, older]);
    expect(await sessions.listByUser(uid('nobody'), t)).toEqual([]);
  });

  check('deletes one session, or all of a user’s except the current one', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const [a, b, c] = [newSession(userId, t), newSession(userId, t + 1), newSession(userId, t + 2)];
    const other = newSession(await ctx.owner(), t);
    for (const s of [a, b, c, other]) await sessions.create(s);
    await sessions.delete(a.id);
    await sessions.delete(a.id);
    expect(await sessions.get(a.id, t)).toBeUndefined();
    await sessions.deleteByUser(userId, { exceptId: c.id });
    expect(await sessions.listByUser(userId, t)).toEqual([c]);
    await sessions.deleteByUser(userId);
    expect(await sessions.listByUser(userId, t)).toEqual([]);
    expect(await sessions.get(other.id, t)).toEqual(other);
  });

  check('returns copies: mutating a returned session never changes the store', async (ctx) => {
    const { sessions } = ctx.storage();
    const t = startTime();
    const s = newSession(await ctx.owner(), t);
    await sessions.create(s);
    const read = (await sessions.get(s.id, t)) as { amr: string[] } & SessionRecord;
    read.amr.push('mutated');
    const listed = (await sessions.listByUser(s.userId, t))[0] as {
      amr: string[];
    } & SessionRecord;
    listed.amr.push('mutated');
    expect(await sessions.get(s.id, t)).toEqual(s);
  });
}
