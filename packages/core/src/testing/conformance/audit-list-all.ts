import { expect } from 'vitest';
import type {
  AuditEventRecord,
  AuditListAllOptions,
  AuditStore,
  NewAuditEvent,
} from '../../storage/types/audit.js';
import {
  type AddCheck,
  type ConformanceContext,
  expectSameKeys,
  startTime,
  uid,
} from './fixtures.js';

/** Room for events other writers of a shared database append while a check runs. */
const ROOM = 100;

/** Most pages a walk reads before it gives up (a store whose pages never end). */
const MAX_PAGES = 1000;

const event = (userId: string, n: number, t: number, type = 'login.failed'): NewAuditEvent => ({
  userId,
  type,
  createdAt: t + n,
  ip: '198.51.100.7',
  userAgent: 'Conformance/1.0',
  sessionId: `sess-${n}`,
  data: { n, reason: 'conformance' },
});

/** Appends `events` one after another; resolves to them as stored, in append order. */
async function appendAll(ctx: ConformanceContext, events: readonly NewAuditEvent[]) {
  const stored: AuditEventRecord[] = [];
  for (const e of events) stored.push({ ...e, sequence: await ctx.storage().audit.append(e) });
  return stored;
}

const sequences = (events: readonly { sequence: number }[]) => events.map((e) => e.sequence);

/** Asserts that `events` are newest first (strictly decreasing sequences), all before `before`. */
function expectNewestFirst(events: readonly AuditEventRecord[], before?: number) {
  const s = sequences(events);
  expect(s, 'listAll: newest first, no repeats').toEqual([...new Set(s)].sort((a, b) => b - a));
  if (before !== undefined) for (const x of s) expect(x, 'listAll: before').toBeLessThan(before);
}

/**
 * Every page of `listAll` from `before` on (pages of `limit`), until one ends before `until`:
 * each checked for order, cursor and size, all of them together newest first.
 */
async function walk(audit: AuditStore, options: AuditListAllOptions, until: number) {
  const out: AuditEventRecord[] = [];
  let before = options.beforeSequence;
  for (let n = 0; n < MAX_PAGES; n += 1) {
    const page = await audit.listAll({
      ...options,
      ...(before === undefined ? {} : { beforeSequence: before }),
    });
    expectNewestFirst(page, before);
    expect(page.length, 'listAll: at most limit').toBeLessThanOrEqual(options.limit);
    out.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < options.limit || last.sequence <= until) break;
    before = last.sequence;
  }
  expectNewestFirst(out);
  return out;
}

/**
 * Registers the checks of `audit.listAll`: every user's events newest first, paged by an
 * exclusive `beforeSequence`, filtered by an exact `type`, and copied. Other writers of a shared
 * database may append between a check's events: checks that read the whole log keep to their
 * own users' events and leave room for others; those of a type use a type of their own.
 */
export function auditListAllChecks(check: AddCheck): void {
  check('listAll lists every user’s events newest first, with every field kept', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const [a, b] = [await ctx.owner(), await ctx.owner()];
    const stored = await appendAll(ctx, [
      event(a, 0, t),
      event(b, 1, t, 'login.succeeded'),
      event(a, 2, t, 'password.changed'),
      event(b, 3, t),
    ]);
    const newest = [...stored].reverse();
    const before = (stored.at(-1)?.sequence ?? 0) + 1;
    const ours = (events: AuditEventRecord[]) => events.filter((e) => [a, b].includes(e.userId));
    const page = await audit.listAll({ limit: ROOM, beforeSequence: before });
    expectNewestFirst(page, before);
    expect(ours(page)).toEqual(newest);
    expect(ours(await audit.listAll({ limit: ROOM }))).toEqual(newest);
  });

  check('listAll pages with limit and an exclusive beforeSequence', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const [a, b] = [await ctx.owner(), await ctx.owner()];
    const stored = await appendAll(
      ctx,
      [0, 1, 2, 3, 4].map((n) => event(n % 2 === 0 ? a : b, n, t)),
    );
    const s = sequences(stored) as [number, number, number, number, number];
    // At least five events come before s[4] + 1 (these), so each page of 2 is full.
    expect(await audit.listAll({ limit: 2, beforeSequence: s[4] + 1 })).toHaveLength(2);
    expect(await audit.listAll({ limit: 3, beforeSequence: s[4] + 1 })).toHaveLength(3);
    // Exclusive: the cursor itself is never on the page; what follows it is.
    const [next] = await audit.listAll({ limit: 1, beforeSequence: s[2] });
    expect(next?.sequence).toBeLessThan(s[2]);
    expect(next?.sequence).toBeGreaterThanOrEqual(s[1]);
    // Page after page, each from the last sequence of the one before: none lost, none twice.
    const all = await walk(audit, { limit: 2, beforeSequence: s[4] + 1 }, s[0]);
    expect(all.filter((e) => e.userId === a || e.userId === b)).toEqual([...stored].reverse());
    expect(await audit.listAll({ limit: 0, beforeSequence: s[4] + 1 })).toEqual([]);
  });

  check('listAll of a type lists only that type, across users, compared exactly', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const [a, b] = [await ctx.owner(), await ctx.owner()];
    const type = uid('conformance.type');
    const bare = { userId: a, type, createdAt: t + 9 };
    const stored = await appendAll(ctx, [
      event(a, 0, t, type),
      event(b, 1, t),
      event(b, 2, t, type),
      event(a, 3, t, `${type}.more`), // a longer type, and the type in other case, are others
      event(b, 4, t, type.toUpperCase()),
      event(a, 5, t, type.slice(0, -1)),
      bare,
    ]);
    const ofType = [stored[6], stored[2], stored[0]] as [AuditEventRecord, ...AuditEventRecord[]];
    const listed = await audit.listAll({ type, limit: 10 });
    expect(listed).toEqual(ofType);
    expectSameKeys(listed[0], ofType[0], 'audit.listAll');
    expect(await audit.listAll({ type, limit: 2 })).toEqual(ofType.slice(0, 2));
    const [, middle, first] = ofType;
    const afterMiddle = { type, limit: 10, beforeSequence: middle?.sequence ?? 0 };
    expect(await audit.listAll(afterMiddle)).toEqual([first]);
    expect(await audit.listAll({ type, limit: 10, beforeSequence: first?.sequence ?? 0 })).toEqual(
      [],
    );
    expect(await audit.listAll({ type: uid('conformance.type'), limit: 10 })).toEqual([]);
  });

  check('listAll no longer lists the events deleteByUser removed', async (ctx) => {
    const { audit } = ctx.storage();
    const t = startTime();
    const [a, b] = [await ctx.owner(), await ctx.owner()];
    const type = uid('conformance.type');
    const stored = await appendAll(ctx, [event(a, 0, t, type), event(b, 1, t, type)]);
    await audit.deleteByUser(a);
    expect(await audit.listAll({ type, limit: 10 })).toEqual([stored[1]]);
    const page = await audit.listAll({
      limit: ROOM,
      beforeSequence: (stored[1]?.sequence ?? 0) + 1,
    });
    expect(page.filter((e) => e.userId === a)).toEqual([]);
  });

  check(
    'listAll returns copies: mutating a returned event never changes the store',
    async (ctx) => {
      const { audit } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const type = uid('conformance.type');
      const [stored] = await appendAll(ctx, [event(userId, 0, t, type)]);
      const [read] = (await audit.listAll({ type, limit: 1 })) as unknown as {
        data: { reason: string };
        ip: string;
      }[];
      if (read !== undefined) {
        read.data.reason = 'tampered';
        read.ip = 'tampered';
      }
      expect(await audit.listAll({ type, limit: 1 })).toEqual([stored]);
      expect(await audit.list(userId, { limit: 1 })).toEqual([stored]);
    },
  );
}
