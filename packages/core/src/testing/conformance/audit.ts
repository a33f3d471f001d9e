import { expect } from 'vitest';
import type { NewAuditEvent } from '../../storage/types/audit.js';
import {
  type AddCheck,
  type ConformanceContext,
  expectSameKeys,
  RACERS,
  race,
  startTime,
  uid,
} from './fixtures.js';

const event = (userId: string, n: number, t: number): NewAuditEvent => ({
  userId,
  type: n % 2 === 0 ? 'login.succeeded' : 'login.failed',
  createdAt: t + n,
  ip: '198.51.100.4',
  userAgent: 'Conformance/1.0',
  sessionId: `sess-${n}`,
  data: { n, reason: 'conformance', list: [1, 'two'] },
});

/** Appends `n` events one after another; resolves to their sequences. */
async function appendMany(ctx: ConformanceContext, userId: string, n: number, t: number) {
  const sequences: number[] = [];
  for (let i = 0; i < n; i += 1)
    sequences.push(await ctx.storage().audit.append(event(userId, i, t)));
  return sequences;
}

/** Registers the checks of `audit`. */
export function auditChecks(check: AddCheck): void {
  check(
    'assigns increasing sequences and lists newest first, with every field kept',
    async (ctx) => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const sequences = await appendMany(ctx, userId, 3, t);
      expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      expect(new Set(sequences).size).toBe(3);
      const listed = await audit.list(userId, { limit: 10 });
      expect(listed).toEqual(
        [0, 1, 2].map((i) => ({ ...event(userId, i, t), sequence: sequences[i] })).reverse(),
      );
    },
  );

  check('pages with limit and an exclusive beforeSequence', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const s = await appendMany(ctx, userId, 5, t);
    const seq = (records: { sequence: number }[]) => records.map((r) => r.sequence);
    const first = await audit.list(userId, { limit: 2 });
    expect(seq(first)).toEqual([s[4], s[3]]);
    const second = await audit.list(userId, { limit: 2, beforeSequence: s[3] ?? 0 });
    expect(seq(second)).toEqual([s[2], s[1]]);
    const last = await audit.list(userId, { limit: 2, beforeSequence: s[1] ?? 0 });
    expect(seq(last)).toEqual([s[0]]);
    expect(await audit.list(userId, { limit: 2, beforeSequence: s[0] ?? 0 })).toEqual([]);
  });

  check('lists only the user’s events, and deleteByUser removes only those', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
    await appendMany(ctx, userId, 2, t);
    await appendMany(ctx, otherId, 3, t);
    expect(await audit.list(userId, { limit: 10 })).toHaveLength(2);
    expect(await audit.list(uid('nobody'), { limit: 10 })).toEqual([]);
    await audit.deleteByUser(userId);
    expect(await audit.list(userId, { limit: 10 })).toEqual([]);
    expect(await audit.list(otherId, { limit: 10 })).toHaveLength(3);
  });

  check(`gives ${RACERS} concurrent appends distinct sequences, all listed`, async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const sequences = await race(RACERS, (i) => audit.append(event(userId, i, t)));
    expect(new Set(sequences).size).toBe(RACERS);
    const listed = await audit.list(userId, { limit: RACERS + 5 });
    expect(listed.map((r) => r.sequence)).toEqual([...sequences].sort((a, b) => b - a));
  });

  check('returns copies: mutating a returned event never changes the store', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    await appendMany(ctx, userId, 1, t);
    const [read] = (await audit.list(userId, { limit: 1 })) as unknown as {
      data: { reason: string };
    }[];
    if (read !== undefined) read.data.reason = 'tampered';
    expect((await audit.list(userId, { limit: 1 }))[0]?.data).toEqual(event(userId, 0, t).data);
  });

  check(
    'numbers two events with one createdAt apart: distinct, increasing sequences',
    async (ctx) => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const first = event(userId, 0, t);
      const second = { ...event(userId, 1, t), createdAt: first.createdAt };
      const a = await audit.append(first);
      const b = await audit.append(second);
      expect(b).toBeGreaterThan(a);
      expect(await audit.list(userId, { limit: 10 })).toEqual([
        { ...second, sequence: b },
        { ...first, sequence: a },
      ]);
    },
  );

  check(
    'orders by sequence, not createdAt: events appended with decreasing createdAt',
    async (ctx) => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      // A clock stepped back, or events written late: the append order is the order.
      const events = [10, 5, 0].map((ms, n) => ({ ...event(userId, n, t), createdAt: t + ms }));
      const sequences: number[] = [];
      for (const e of events) sequences.push(await audit.append(e));
      expect([...sequences].sort((x, y) => x - y)).toEqual(sequences);
      const expected = events.map((e, i) => ({ ...e, sequence: sequences[i] })).reverse();
      expect(await audit.list(userId, { limit: 10 })).toEqual(expected);
      expect(await audit.list(userId, { limit: 1 })).toEqual(expected.slice(0, 1));
      const before = sequences[2] ?? 0;
      expect(await audit.list(userId, { limit: 1, beforeSequence: before })).toEqual(
        expected.slice(1, 2),
      );
    },
  );

  check('leaves absent optional fields absent (no null, no undefined key)', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const bare = { userId, type: 'session.revoked', createdAt: t };
    const sequence = await audit.append(bare);
    const [listed] = await audit.list(userId, { limit: 1 });
    expectSameKeys(listed, { ...bare, sequence }, 'audit.list');
    expect(listed).toEqual({ ...bare, sequence });
  });

  check('copies what append got: mutating the event afterwards changes nothing', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const input = structuredClone(event(userId, 0, t)) as unknown as {
      data: { reason: string; list: unknown[] };
      type: string;
    };
    const sequence = await audit.append(input as unknown as NewAuditEvent);
    input.data.reason = 'tampered';
    input.data.list.push('pushed');
    input.type = 'tampered';
    expect(await audit.list(userId, { limit: 1 })).toEqual([{ ...event(userId, 0, t), sequence }]);
  });
}
