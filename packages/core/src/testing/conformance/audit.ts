import { describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '../../storage/types/audit.js';
import { type ConformanceContext, RACERS, race, startTime, uid } from './fixtures.js';

const event = (userId: string, n: number, t: number): NewAuditEvent => ({
  userId,
  type: n % 2 === 0 ? 'login.succeeded' : 'login.failed',
  createdAt: t + n,
  ip: '198.51.100.4',
  userAgent: 'Conformance/1.0',
  sessionId: `sess-${n}`,
  data: { n, reason: 'conformance', list: [1, 'two'] },
});

/** Registers the checks of `audit`. */
export function describeAudit(ctx: ConformanceContext): void {
  describe('audit', () => {
    /** Appends `n` events one after another; resolves to their sequences. */
    const appendMany = async (userId: string, n: number, t: number) => {
      const sequences: number[] = [];
      for (let i = 0; i < n; i += 1)
        sequences.push(await ctx.storage().audit.append(event(userId, i, t)));
      return sequences;
    };

    it('assigns increasing sequences and lists newest first, with every field kept', async () => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const sequences = await appendMany(userId, 3, t);
      expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      expect(new Set(sequences).size).toBe(3);
      const listed = await audit.list(userId, { limit: 10 });
      expect(listed).toEqual(
        [0, 1, 2].map((i) => ({ ...event(userId, i, t), sequence: sequences[i] })).reverse(),
      );
    });

    it('pages with limit and an exclusive beforeSequence', async () => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const s = await appendMany(userId, 5, t);
      const seq = (records: { sequence: number }[]) => records.map((r) => r.sequence);
      const first = await audit.list(userId, { limit: 2 });
      expect(seq(first)).toEqual([s[4], s[3]]);
      const second = await audit.list(userId, { limit: 2, beforeSequence: s[3] ?? 0 });
      expect(seq(second)).toEqual([s[2], s[1]]);
      const last = await audit.list(userId, { limit: 2, beforeSequence: s[1] ?? 0 });
      expect(seq(last)).toEqual([s[0]]);
      expect(await audit.list(userId, { limit: 2, beforeSequence: s[0] ?? 0 })).toEqual([]);
    });

    it('lists only the user’s events, and deleteByUser removes only those', async () => {
      const { audit } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      await appendMany(userId, 2, t);
      await appendMany(otherId, 3, t);
      expect(await audit.list(userId, { limit: 10 })).toHaveLength(2);
      expect(await audit.list(uid('nobody'), { limit: 10 })).toEqual([]);
      await audit.deleteByUser(userId);
      expect(await audit.list(userId, { limit: 10 })).toEqual([]);
      expect(await audit.list(otherId, { limit: 10 })).toHaveLength(3);
    });

    it(`gives ${RACERS} concurrent appends distinct sequences, all listed`, async () => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const sequences = await race(RACERS, (i) => audit.append(event(userId, i, t)));
      expect(new Set(sequences).size).toBe(RACERS);
      const listed = await audit.list(userId, { limit: RACERS + 5 });
      expect(listed.map((r) => r.sequence)).toEqual([...sequences].sort((a, b) => b - a));
    });

    it('returns copies: mutating a returned event never changes the store', async () => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      await appendMany(userId, 1, t);
      const [read] = (await audit.list(userId, { limit: 1 })) as unknown as {
        data: { reason: string };
      }[];
      if (read !== undefined) read.data.reason = 'tampered';
      expect((await audit.list(userId, { limit: 1 }))[0]?.data).toEqual(event(userId, 0, t).data);
    });
  });
}
