import { expect } from 'vitest';
import type { RecoveryCodeRecord } from '../../storage/types/two-factor.js';
import {
  type AddCheck,
  type ConformanceContext,
  HOUR,
  MINUTE,
  newDevice,
  RACERS,
  race,
  startTime,
  tally,
  uid,
} from './fixtures.js';

const codes = (n: number) =>
  Array.from({ length: n }, () => ({ id: uid('rc'), hash: uid('rc-hash') }));
const byId = (a: RecoveryCodeRecord, b: RecoveryCodeRecord) => (a.id < b.id ? -1 : 1);

/** The user's recovery codes, sorted by id. */
const list = async (ctx: ConformanceContext, userId: string) =>
  (await ctx.storage().twoFactor.listRecoveryCodes(userId)).sort(byId);

/** Registers the checks of `twoFactor`. */
export function twoFactorChecks(check: AddCheck): void {
  check('stores a new set of recovery codes, all unused', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const userId = await ctx.owner();
    const set = codes(10);
    await twoFactor.replaceRecoveryCodes(userId, set);
    expect(await list(ctx, userId)).toEqual(set.map((c) => ({ ...c, userId })).sort(byId));
    expect(await list(ctx, uid('nobody'))).toEqual([]);
  });

  check(
    'replaces the whole set, leaving other users’ codes alone; an empty set clears it',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      await twoFactor.replaceRecoveryCodes(userId, codes(10));
      await twoFactor.replaceRecoveryCodes(otherId, codes(2));
      const next = codes(8);
      await twoFactor.replaceRecoveryCodes(userId, next);
      expect(await list(ctx, userId)).toEqual(next.map((c) => ({ ...c, userId })).sort(byId));
      expect(await list(ctx, otherId)).toHaveLength(2);
      await twoFactor.replaceRecoveryCodes(userId, []);
      expect(await list(ctx, userId)).toEqual([]);
    },
  );

  check('replaces all or nothing: concurrent replaces leave exactly one whole set', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const userId = await ctx.owner();
    const sets = Array.from({ length: 5 }, () => codes(10));
    await race(sets.length, (i) => twoFactor.replaceRecoveryCodes(userId, sets[i] ?? []));
    const ids = (await list(ctx, userId)).map((c) => c.id).sort();
    const whole = sets.map((s) => s.map((c) => c.id).sort());
    expect(whole).toContainEqual(ids);
  });

  check(
    'shows readers the old set or the new one while a replacement runs, never a mix',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const userId = await ctx.owner();
      const [old, next] = [codes(10), codes(8)];
      await twoFactor.replaceRecoveryCodes(userId, old);
      const ids = (set: readonly { id: string }[]) => JSON.stringify(set.map((c) => c.id).sort());
      // Readers start with the replacement, then after 1 to RACERS turns of the microtask
      // queue (an in-process store) or of the event loop (one with round trips).
      const microtask = () => Promise.resolve();
      const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
      const readAfter = async (turns: number, turn: () => Promise<void>) => {
        for (let i = 0; i < turns; i += 1) await turn();
        return ids(await twoFactor.listRecoveryCodes(userId));
      };
      const [, ...seen] = await Promise.all([
        twoFactor.replaceRecoveryCodes(userId, next).then(() => ''),
        readAfter(0, microtask),
        ...Array.from({ length: RACERS }, (_, i) => readAfter(i + 1, microtask)),
        ...Array.from({ length: RACERS }, (_, i) => readAfter(i + 1, macrotask)),
      ]);
      expect(seen.filter((set) => set !== ids(old) && set !== ids(next))).toEqual([]);
      expect(ids(await list(ctx, userId))).toBe(ids(next));
    },
  );

  check(
    'marks a code used once: used, then already_used; a missing or foreign code is not_found',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const [code] = codes(1);
      const [foreign] = codes(1);
      if (code === undefined || foreign === undefined) throw new Error('no codes');
      await twoFactor.replaceRecoveryCodes(userId, [code]);
      await twoFactor.replaceRecoveryCodes(otherId, [foreign]);
      expect(await twoFactor.markRecoveryCodeUsed(userId, code.id, { now: t })).toBe('used');
      expect(await twoFactor.markRecoveryCodeUsed(userId, code.id, { now: t + 1 })).toBe(
        'already_used',
      );
      expect(await list(ctx, userId)).toEqual([{ ...code, userId, usedAt: t }]);
      expect(await twoFactor.markRecoveryCodeUsed(userId, foreign.id, { now: t })).toBe(
        'not_found',
      );
      expect(await twoFactor.markRecoveryCodeUsed(userId, uid('rc'), { now: t })).toBe('not_found');
      expect(await list(ctx, otherId)).toEqual([{ ...foreign, userId: otherId }]);
    },
  );

  check(`of ${RACERS} concurrent uses of one recovery code, exactly one is used`, async (ctx) => {
    const { twoFactor } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const set = codes(3);
    await twoFactor.replaceRecoveryCodes(userId, set);
    const id = set[1]?.id ?? '';
    const results = await race(RACERS, (i) =>
      twoFactor.markRecoveryCodeUsed(userId, id, { now: t + i }),
    );
    expect(tally(results).get('used')).toBe(1);
    expect(tally(results).get('already_used')).toBe(RACERS - 1);
    expect((await list(ctx, userId)).filter((c) => c.usedAt !== undefined)).toHaveLength(1);
  });

  check('keeps a trusted device while now < expiresAt', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const t = startTime();
    const device = newDevice(await ctx.owner(), t, { expiresAt: t + HOUR });
    await twoFactor.createTrustedDevice(device);
    expect(await twoFactor.getTrustedDevice(device.id, t + HOUR - 1)).toEqual(device);
    expect(await twoFactor.getTrustedDevice(device.id, t + HOUR)).toBeUndefined();
    expect(await twoFactor.getTrustedDevice(uid('missing'), t)).toBeUndefined();
  });

  check('lists a user’s live devices newest first, and touches only live ones', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const older = newDevice(userId, t);
    const newer = newDevice(userId, t + MINUTE);
    const dead = newDevice(userId, t + 2 * MINUTE, { expiresAt: t + 3 * MINUTE });
    for (const d of [older, dead, newer, newDevice(await ctx.owner(), t)])
      await twoFactor.createTrustedDevice(d);
    expect(await twoFactor.listTrustedDevices(userId, t + 3 * MINUTE)).toEqual([newer, older]);
    expect(await twoFactor.touchTrustedDevice(older.id, { now: t + 5 * MINUTE })).toBe('touched');
    expect((await twoFactor.getTrustedDevice(older.id, t))?.lastUsedAt).toBe(t + 5 * MINUTE);
    expect(await twoFactor.touchTrustedDevice(dead.id, { now: t + 3 * MINUTE })).toBe('not_found');
    expect(await twoFactor.getTrustedDevice(dead.id, t + 3 * MINUTE)).toBeUndefined();
  });

  check('revokes devices one by one and all at once, per user', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const [a, b, c] = [newDevice(userId, t), newDevice(userId, t + 1), newDevice(userId, t + 2)];
    const other = newDevice(await ctx.owner(), t);
    for (const d of [a, b, c, other]) await twoFactor.createTrustedDevice(d);
    await twoFactor.deleteTrustedDevice(a.id);
    await twoFactor.deleteTrustedDevice(a.id);
    expect(await twoFactor.listTrustedDevices(userId, t)).toEqual([c, b]);
    expect(await twoFactor.touchTrustedDevice(a.id, { now: t })).toBe('not_found');
    expect(await twoFactor.getTrustedDevice(a.id, t)).toBeUndefined();
    await twoFactor.deleteAllTrustedDevices(userId);
    expect(await twoFactor.listTrustedDevices(userId, t)).toEqual([]);
    expect(await twoFactor.getTrustedDevice(other.id, t)).toEqual(other);
  });

  check('deleteByUser removes the user’s recovery codes and devices only', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const t = startTime();
    const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
    await twoFactor.replaceRecoveryCodes(userId, codes(2));
    await twoFactor.replaceRecoveryCodes(otherId, codes(2));
    const [mine, theirs] = [newDevice(userId, t), newDevice(otherId, t)];
    await twoFactor.createTrustedDevice(mine);
    await twoFactor.createTrustedDevice(theirs);
    await twoFactor.deleteByUser(userId);
    expect(await list(ctx, userId)).toEqual([]);
    expect(await twoFactor.getTrustedDevice(mine.id, t)).toBeUndefined();
    expect(await list(ctx, otherId)).toHaveLength(2);
    expect(await twoFactor.getTrustedDevice(theirs.id, t)).toEqual(theirs);
  });

  check(
    'returns copies: mutating a returned code or device never changes the store',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      await twoFactor.replaceRecoveryCodes(userId, codes(1));
      const [read] = (await twoFactor.listRecoveryCodes(userId)) as { usedAt?: number }[];
      if (read !== undefined) read.usedAt = t;
      expect((await list(ctx, userId))[0]?.usedAt).toBeUndefined();
      const device = newDevice(userId, t);
      await twoFactor.createTrustedDevice(device);
      const got = (await twoFactor.getTrustedDevice(device.id, t)) as { expiresAt: number };
      got.expiresAt = t + 1000 * HOUR;
      expect(await twoFactor.getTrustedDevice(device.id, t)).toEqual(device);
    },
  );
}
