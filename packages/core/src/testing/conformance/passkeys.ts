import { expect } from 'vitest';
import type { PasskeyRecord } from '../../storage/types/passkeys.js';
import {
  type AddCheck,
  type ConformanceContext,
  expectSameKeys,
  MINUTE,
  newPasskey,
  RACERS,
  race,
  startTime,
  tally,
  uid,
} from './fixtures.js';

/** A passkey record as a careless caller treats it. */
type Mutable = { -readonly [K in keyof PasskeyRecord]: PasskeyRecord[K] };

/** The largest signature counter an authenticator sends (a 32-bit unsigned integer). */
const MAX_COUNTER = 2 ** 32 - 1;

/** Creates each of `passkeys`, in order, and expects every create to succeed. */
async function createAll(ctx: ConformanceContext, ...passkeys: PasskeyRecord[]): Promise<void> {
  for (const p of passkeys) expect(await ctx.storage().passkeys.create(p), p.id).toBe('created');
}

/** Deletes `passkey` as its owner would, keeping the user's last passkey or not. */
const remove = (ctx: ConformanceContext, passkey: PasskeyRecord, keepOne: boolean) =>
  ctx.storage().passkeys.delete(passkey.id, { userId: passkey.userId, keepOne });

/** Every read of `passkey`: by id, by credential id, and in its user's list. */
async function reads(ctx: ConformanceContext, passkey: PasskeyRecord) {
  const { passkeys } = ctx.storage();
  return [
    await passkeys.get(passkey.id),
    await passkeys.getByCredentialId(passkey.credentialId),
    ...(await passkeys.listByUser(passkey.userId)),
  ];
}

/**
 * Registers the checks of `passkeys`: uniqueness of credential ids (under concurrency too), the
 * oldest-first list, `recordUse` raising the counter and never lowering it, renames and deletes
 * of one's own passkeys only, `keepOne` refusing the last passkey atomically, `transports` and
 * an absent `lastUsedAt` read back as written, and copies.
 *
 * As for the other user-owned stores, the kit checks `deleteByUser` only; the PostgreSQL
 * adapter's foreign key also takes a user's passkeys with the user row.
 */
export function passkeyChecks(check: AddCheck): void {
  check(
    'creates a passkey and reads it by id, by credential id, and in its user’s list',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const passkey = newPasskey(await ctx.owner(), t, { counter: 7 });
      expect(await passkeys.create(passkey)).toBe('created');
      expect(await passkeys.get(passkey.id)).toEqual(passkey);
      expect(await passkeys.getByCredentialId(passkey.credentialId)).toEqual(passkey);
      expect(await passkeys.listByUser(passkey.userId)).toEqual([passkey]);
      expect(await passkeys.get(uid('missing'))).toBeUndefined();
      expect(await passkeys.getByCredentialId(uid('cred'))).toBeUndefined();
      // The credential id is compared exactly, not by case.
      expect(await passkeys.getByCredentialId(passkey.credentialId.toUpperCase())).toBeUndefined();
      expect(await passkeys.listByUser(uid('nobody'))).toEqual([]);
    },
  );

  check(
    'lists a user’s passkeys oldest first, ties broken by id (code-unit order)',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      // Ids that tie on createdAt and sort differently by code unit ('-' < '_', 'B' < 'a') than
      // by a locale's collation (which ignores punctuation and puts 'a' before 'B').
      const base = uid('pk');
      const at = (id: string, createdAt: number) => newPasskey(userId, createdAt, { id });
      const [b, a, under] = [at(`${base}-B`, t), at(`${base}-a`, t), at(`${base}_0`, t)];
      const oldest = at(uid('pk'), t - MINUTE);
      const newest = at(uid('pk'), t + MINUTE);
      const theirs = newPasskey(otherId, t - 2 * MINUTE);
      await createAll(ctx, newest, a, theirs, under, oldest, b);
      expect(await passkeys.listByUser(userId)).toEqual([oldest, b, a, under, newest]);
      expect(await passkeys.listByUser(otherId)).toEqual([theirs]);
    },
  );

  check(
    'refuses a second passkey of one credential id, to another user or the same one, and a taken id',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const passkey = newPasskey(userId, t);
      await createAll(ctx, passkey);
      const same = { credentialId: passkey.credentialId };
      const toOther = newPasskey(otherId, t + 1, same);
      const toSame = newPasskey(userId, t + 2, same);
      const sameId = newPasskey(otherId, t + 3, { id: passkey.id });
      expect(await passkeys.create(toOther)).toBe('conflict');
      expect(await passkeys.create(toSame)).toBe('conflict');
      expect(await passkeys.create(sameId)).toBe('conflict');
      // Nothing of the refused creates was written.
      expect(await passkeys.get(passkey.id)).toEqual(passkey);
      expect(await passkeys.getByCredentialId(passkey.credentialId)).toEqual(passkey);
      expect(await passkeys.get(toOther.id)).toBeUndefined();
      expect(await passkeys.get(toSame.id)).toBeUndefined();
      expect(await passkeys.getByCredentialId(sameId.credentialId)).toBeUndefined();
      expect(await passkeys.listByUser(userId)).toEqual([passkey]);
      expect(await passkeys.listByUser(otherId)).toEqual([]);
    },
  );

  check(
    `of ${RACERS} concurrent creates of one credential, exactly one is created`,
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const owners = [await ctx.owner(), await ctx.owner()];
      const credentialId = uid('cred');
      const tries = Array.from({ length: RACERS }, (_, i) =>
        newPasskey(owners[i % 2] ?? '', t + i, { credentialId }),
      );
      const results = await race(RACERS, (i) => passkeys.create(tries[i] as PasskeyRecord));
      expect(tally(results).get('created')).toBe(1);
      expect(tally(results).get('conflict')).toBe(RACERS - 1);
      const winner = tries[results.indexOf('created')];
      expect(await passkeys.getByCredentialId(credentialId)).toEqual(winner);
      const listed = [
        ...(await passkeys.listByUser(owners[0] ?? '')),
        ...(await passkeys.listByUser(owners[1] ?? '')),
      ];
      expect(listed).toEqual([winner]);
    },
  );

  check(
    'recordUse raises the counter and sets backedUp and lastUsedAt; not_found for a missing passkey',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const passkey = newPasskey(await ctx.owner(), t, { counter: 5, backedUp: false });
      await createAll(ctx, passkey);
      const use = { counter: 9, backedUp: true, now: t + MINUTE };
      expect(await passkeys.recordUse(passkey.id, use)).toBe('updated');
      const used = { ...passkey, counter: 9, backedUp: true, lastUsedAt: t + MINUTE };
      for (const read of await reads(ctx, passkey)) {
        expect(read).toEqual(used);
        expectSameKeys(read, used, 'a used passkey');
      }
      // The largest counter an authenticator sends fits.
      const top = { counter: MAX_COUNTER, backedUp: false, now: t + 2 * MINUTE };
      expect(await passkeys.recordUse(passkey.id, top)).toBe('updated');
      expect(await passkeys.get(passkey.id)).toEqual({
        ...used,
        counter: MAX_COUNTER,
        backedUp: false,
        lastUsedAt: t + 2 * MINUTE,
      });
      const missing = uid('pk');
      expect(await passkeys.recordUse(missing, use)).toBe('not_found');
      expect(await passkeys.get(missing)).toBeUndefined();
    },
  );

  check(
    'recordUse never lowers the counter: a lower or equal one keeps it, and still updates backedUp and lastUsedAt',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const passkey = newPasskey(await ctx.owner(), t, { counter: 40, backedUp: true });
      await createAll(ctx, passkey);
      expect(
        await passkeys.recordUse(passkey.id, { counter: 3, backedUp: false, now: t + 1 }),
      ).toBe('updated');
      const lower = { ...passkey, counter: 40, backedUp: false, lastUsedAt: t + 1 };
      for (const read of await reads(ctx, passkey)) expect(read).toEqual(lower);
      expect(
        await passkeys.recordUse(passkey.id, { counter: 40, backedUp: true, now: t + 2 }),
      ).toBe('updated');
      expect(await passkeys.get(passkey.id)).toEqual({
        ...lower,
        backedUp: true,
        lastUsedAt: t + 2,
      });
      // A counter of 0 (an authenticator that does not count) keeps the stored one too.
      expect(await passkeys.recordUse(passkey.id, { counter: 0, backedUp: true, now: t + 3 })).toBe(
        'updated',
      );
      expect(await passkeys.get(passkey.id)).toEqual({
        ...lower,
        backedUp: true,
        lastUsedAt: t + 3,
      });
    },
  );

  check(`${RACERS} concurrent uses of one passkey leave the highest counter`, async (ctx) => {
    const { passkeys } = ctx.storage();
    const t = startTime();
    const passkey = newPasskey(await ctx.owner(), t, { counter: 1 });
    await createAll(ctx, passkey);
    // Counters 2 to RACERS + 1, the highest started neither first nor last.
    const counterOf = (i: number) => ((i * 7) % RACERS) + 2;
    const results = await race(RACERS, (i) =>
      passkeys.recordUse(passkey.id, { counter: counterOf(i), backedUp: true, now: t + i }),
    );
    expect(tally(results).get('updated')).toBe(RACERS);
    expect((await passkeys.get(passkey.id))?.counter).toBe(RACERS + 1);
  });

  check(
    'renames a user’s own passkey only: another user’s or a missing one is not_found',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const [mine, theirs] = [newPasskey(userId, t), newPasskey(otherId, t)];
      await createAll(ctx, mine, theirs);
      const name = 'Zoe\u0301’s 🔑 YubiKey';
      expect(await passkeys.rename(mine.id, { userId, name })).toBe('updated');
      for (const read of await reads(ctx, mine)) expect(read).toEqual({ ...mine, name });
      expect(await passkeys.rename(theirs.id, { userId, name: 'stolen' })).toBe('not_found');
      expect(await passkeys.rename(uid('pk'), { userId, name: 'ghost' })).toBe('not_found');
      expect(await passkeys.get(theirs.id)).toEqual(theirs);
      expect(await passkeys.listByUser(otherId)).toEqual([theirs]);
    },
  );

  check(
    'deletes a user’s own passkey only: another user’s passkey or a missing one is not_found',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const [mine, spare] = [newPasskey(userId, t), newPasskey(userId, t + 1)];
      const theirs = newPasskey(otherId, t);
      await createAll(ctx, mine, spare, theirs);
      for (const keepOne of [false, true]) {
        expect(await passkeys.delete(theirs.id, { userId, keepOne })).toBe('not_found');
        expect(await passkeys.delete(uid('pk'), { userId, keepOne })).toBe('not_found');
      }
      expect(await passkeys.get(theirs.id)).toEqual(theirs);
      expect(await passkeys.listByUser(otherId)).toEqual([theirs]);
      expect(await passkeys.listByUser(userId)).toEqual([mine, spare]);
      expect(await remove(ctx, mine, false)).toBe('deleted');
      expect(await remove(ctx, mine, false)).toBe('not_found');
      expect(await passkeys.get(mine.id)).toBeUndefined();
      expect(await passkeys.getByCredentialId(mine.credentialId)).toBeUndefined();
      expect(await passkeys.listByUser(userId)).toEqual([spare]);
      expect(await passkeys.recordUse(mine.id, { counter: 1, backedUp: true, now: t })).toBe(
        'not_found',
      );
      expect(await passkeys.rename(mine.id, { userId, name: 'gone' })).toBe('not_found');
    },
  );

  check('with keepOne, refuses the only passkey (last) and deletes one of two', async (ctx) => {
    const { passkeys } = ctx.storage();
    const t = startTime();
    const [soleId, pairId] = [await ctx.owner(), await ctx.owner()];
    const sole = newPasskey(soleId, t);
    const [first, second] = [newPasskey(pairId, t), newPasskey(pairId, t + 1)];
    await createAll(ctx, sole, first, second);
    // Other users' passkeys do not count: the user's only passkey is its last.
    expect(await remove(ctx, sole, true)).toBe('last');
    expect(await passkeys.get(sole.id)).toEqual(sole);
    expect(await remove(ctx, first, true)).toBe('deleted');
    expect(await remove(ctx, second, true)).toBe('last');
    expect(await passkeys.listByUser(pairId)).toEqual([second]);
    // Without keepOne, the last passkey goes (the user has another way to sign in).
    expect(await remove(ctx, sole, false)).toBe('deleted');
    expect(await passkeys.listByUser(soleId)).toEqual([]);
  });

  check('two concurrent keepOne deletes of a user’s last two passkeys leave one', async (ctx) => {
    const { passkeys } = ctx.storage();
    const t = startTime();
    for (let round = 0; round < 5; round += 1) {
      const userId = await ctx.owner();
      const pair = [newPasskey(userId, t), newPasskey(userId, t + 1)] as const;
      await createAll(ctx, ...pair);
      // In either order of start: the first to start is not always the one that wins.
      const order = round % 2 === 0 ? pair : ([pair[1], pair[0]] as const);
      const results = await race(2, (i) => remove(ctx, order[i] as PasskeyRecord, true));
      expect([...results].sort()).toEqual(['deleted', 'last']);
      const left = order[results.indexOf('last')];
      expect(await passkeys.listByUser(userId)).toEqual([left]);
    }
  });

  check('deleteByUser removes every passkey of the user and no other user’s', async (ctx) => {
    const { passkeys } = ctx.storage();
    const t = startTime();
    const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
    const mine = Array.from({ length: 5 }, (_, i) => newPasskey(userId, t + i));
    const theirs = [newPasskey(otherId, t), newPasskey(otherId, t + 1)];
    await createAll(ctx, ...mine, ...theirs);
    await passkeys.deleteByUser(userId);
    await passkeys.deleteByUser(userId);
    await passkeys.deleteByUser(uid('nobody'));
    expect(await passkeys.listByUser(userId)).toEqual([]);
    for (const p of mine) {
      expect(await passkeys.get(p.id)).toBeUndefined();
      expect(await passkeys.getByCredentialId(p.credentialId)).toBeUndefined();
    }
    expect(await passkeys.listByUser(otherId)).toEqual(theirs);
    // The credential ids are free again.
    const again = newPasskey(otherId, t + 2, { credentialId: mine[0]?.credentialId ?? '' });
    expect(await passkeys.create(again)).toBe('created');
  });

  check(
    'returns copies: mutating a passkey (or its transports) passed in or returned never changes the store',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const passkey = newPasskey(await ctx.owner(), t, { transports: ['usb', 'nfc'] });
      const transports = [...passkey.transports];
      const input: Mutable = { ...passkey, transports };
      await passkeys.create(input);
      input.counter = 999;
      input.name = 'forged';
      transports.push('ble');
      transports[0] = 'hybrid';
      const got = await reads(ctx, passkey);
      expect(got).toEqual([passkey, passkey, passkey]);
      for (const read of got as Mutable[]) {
        read.userId = uid('attacker');
        read.publicKey = 'forged';
        read.createdAt = 0;
        (read.transports as string[]).push('ble');
        (read.transports as string[])[0] = 'internal';
      }
      expect(await reads(ctx, passkey)).toEqual([passkey, passkey, passkey]);
    },
  );

  check(
    'leaves an absent lastUsedAt absent, and keeps transports as written (empty too)',
    async (ctx) => {
      const { passkeys } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const many = newPasskey(userId, t, {
        transports: ['usb', 'nfc', 'ble', 'smart-card', 'hybrid', 'internal'],
        deviceType: 'singleDevice',
        backedUp: false,
      });
      const none = newPasskey(userId, t + 1, { transports: [] });
      await createAll(ctx, many, none);
      for (const passkey of [many, none]) {
        expect('lastUsedAt' in passkey).toBe(false);
        for (const read of [
          await passkeys.get(passkey.id),
          await passkeys.getByCredentialId(passkey.credentialId),
        ]) {
          expect(read).toEqual(passkey);
          expectSameKeys(read, passkey, 'a passkey never used');
        }
      }
      const listed = await passkeys.listByUser(userId);
      expect(listed).toEqual([many, none]);
      for (const [i, read] of listed.entries()) {
        expectSameKeys(read, [many, none][i] as PasskeyRecord, 'a listed passkey never used');
      }
      expect((await passkeys.get(none.id))?.transports).toEqual([]);
      // A rename leaves it unused.
      expect(await passkeys.rename(none.id, { userId, name: 'Phone' })).toBe('updated');
      expectSameKeys(await passkeys.get(none.id), none, 'a renamed passkey never used');
    },
  );
}
