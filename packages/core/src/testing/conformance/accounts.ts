import { expect } from 'vitest';
import type { AccountPatch, AccountRecord } from '../../storage/types/accounts.js';
import {
  type AddCheck,
  type ConformanceContext,
  expectSameKeys,
  MINUTE,
  newAccount,
  RACERS,
  race,
  startTime,
  tally,
  uid,
} from './fixtures.js';

/** An account record as a careless caller treats it. */
type Mutable = { -readonly [K in keyof AccountRecord]: AccountRecord[K] };

/** `account` without its optional email and tokens. */
function bare(account: AccountRecord): AccountRecord {
  const { email: _email, encryptedTokens: _tokens, ...rest } = account;
  return rest;
}

/** `account` without the optional field `key`. */
function without(account: AccountRecord, key: 'email' | 'encryptedTokens'): AccountRecord {
  const out: Partial<Mutable> = { ...account };
  delete out[key];
  // Only an optional field was removed.
  return out as AccountRecord;
}

/** Creates each of `accounts`, in order, and expects every create to succeed. */
async function createAll(ctx: ConformanceContext, ...accounts: AccountRecord[]): Promise<void> {
  for (const a of accounts) expect(await ctx.storage().accounts.create(a), a.id).toBe('created');
}

/** Deletes `account` as its owner would, keeping the user's last link or not. */
const unlink = (ctx: ConformanceContext, account: AccountRecord, keepOne: boolean) =>
  ctx.storage().accounts.delete(account.id, { userId: account.userId, keepOne });

/**
 * Registers the checks of `accounts`: uniqueness of `(provider, subject)` (under concurrency
 * too), the oldest-first list, patches, deletes of one's own links only, `keepOne` refusing
 * the last link atomically, absent optional fields, and copies.
 *
 * The contract also says a user's links go with the user, which the PostgreSQL adapter's
 * foreign key does on `users.delete`; core itself calls `accounts.deleteByUser` when it
 * deletes an account. As for sessions and the other user-owned stores, the kit checks
 * `deleteByUser` only, which every store can promise.
 */
export function accountChecks(check: AddCheck): void {
  check(
    'creates a link and reads it by id, by provider and subject, and in its user’s list',
    async (ctx) => {
      const { accounts } = ctx.storage();
      const t = startTime();
      const account = newAccount(await ctx.owner(), t, { lastUsedAt: t + 123 });
      expect(await accounts.create(account)).toBe('created');
      expect(await accounts.get(account.id)).toEqual(account);
      expect(await accounts.getBySubject(account.provider, account.subject)).toEqual(account);
      expect(await accounts.listByUser(account.userId)).toEqual([account]);
      expect(await accounts.get(uid('missing'))).toBeUndefined();
      expect(await accounts.getBySubject(account.provider, uid('sub'))).toBeUndefined();
      expect(await accounts.getBySubject('other-provider', account.subject)).toBeUndefined();
      expect(await accounts.listByUser(uid('nobody'))).toEqual([]);
    },
  );

  check('lists a user’s links oldest first, ties broken by id (code-unit order)', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
    // Ids that tie on createdAt and sort differently by code unit ('-' < '_', 'B' < 'a') than
    // by a locale's collation (which ignores punctuation and puts 'a' before 'B').
    const base = uid('acct');
    const at = (id: string, createdAt: number) => newAccount(userId, createdAt, { id });
    const [b, a, under] = [at(`${base}-B`, t), at(`${base}-a`, t), at(`${base}_0`, t)];
    const oldest = at(uid('acct'), t - MINUTE);
    const newest = at(uid('acct'), t + MINUTE);
    const theirs = newAccount(otherId, t - 2 * MINUTE);
    await createAll(ctx, newest, a, theirs, under, oldest, b);
    expect(await accounts.listByUser(userId)).toEqual([oldest, b, a, under, newest]);
    expect(await accounts.listByUser(otherId)).toEqual([theirs]);
  });

  check(
    'refuses a second link of one identity, to another user or the same one, and a taken id',
    async (ctx) => {
      const { accounts } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const account = newAccount(userId, t);
      await createAll(ctx, account);
      const same = { provider: account.provider, subject: account.subject };
      const toOther = newAccount(otherId, t + 1, same);
      const toSame = newAccount(userId, t + 2, same);
      const sameId = newAccount(otherId, t + 3, { id: account.id });
      expect(await accounts.create(toOther)).toBe('conflict');
      expect(await accounts.create(toSame)).toBe('conflict');
      expect(await accounts.create(sameId)).toBe('conflict');
      // Nothing of the refused creates was written.
      expect(await accounts.get(account.id)).toEqual(account);
      expect(await accounts.getBySubject(account.provider, account.subject)).toEqual(account);
      expect(await accounts.get(toOther.id)).toBeUndefined();
      expect(await accounts.get(toSame.id)).toBeUndefined();
      expect(await accounts.getBySubject(sameId.provider, sameId.subject)).toBeUndefined();
      expect(await accounts.listByUser(userId)).toEqual([account]);
      expect(await accounts.listByUser(otherId)).toEqual([]);
    },
  );

  check(`of ${RACERS} concurrent links of one identity, exactly one is created`, async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    const owners = [await ctx.owner(), await ctx.owner()];
    const subject = uid('sub');
    const tries = Array.from({ length: RACERS }, (_, i) =>
      newAccount(owners[i % 2] ?? '', t + i, { subject }),
    );
    const results = await race(RACERS, (i) => accounts.create(tries[i] as AccountRecord));
    expect(tally(results).get('created')).toBe(1);
    expect(tally(results).get('conflict')).toBe(RACERS - 1);
    const winner = tries[results.indexOf('created')];
    expect(await accounts.getBySubject('oidc', subject)).toEqual(winner);
    const listed = [
      ...(await accounts.listByUser(owners[0] ?? '')),
      ...(await accounts.listByUser(owners[1] ?? '')),
    ];
    expect(listed).toEqual([winner]);
  });

  check('keeps providers apart, and compares provider and subject exactly', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
    const subject = `${uid('Sub')}-Ab`;
    const google = newAccount(userId, t, { provider: 'google', subject });
    const github = newAccount(otherId, t, { provider: 'github', subject });
    const upper = newAccount(otherId, t + 1, {
      provider: 'google',
      subject: subject.toUpperCase(),
    });
    const lower = newAccount(otherId, t + 2, {
      provider: 'google',
      subject: subject.toLowerCase(),
    });
    await createAll(ctx, google, github, upper, lower);
    expect(await accounts.getBySubject('google', subject)).toEqual(google);
    expect(await accounts.getBySubject('github', subject)).toEqual(github);
    expect(await accounts.getBySubject('Google', subject)).toBeUndefined();
    expect(await accounts.getBySubject('google', subject.toUpperCase())).toEqual(upper);
    expect(await accounts.getBySubject('google', subject.toLowerCase())).toEqual(lower);
  });

  check(
    'update changes the fields given, removes those given as null, leaves the rest; not_found for a missing link',
    async (ctx) => {
      const { accounts } = ctx.storage();
      const t = startTime();
      const account = newAccount(await ctx.owner(), t);
      await createAll(ctx, account);
      let expected: AccountRecord = account;
      /** Applies `patch`, expects `updated` and the record `change` makes of the last one. */
      const step = async (
        patch: AccountPatch,
        change: (before: AccountRecord) => AccountRecord,
      ): Promise<void> => {
        expect(await accounts.update(account.id, patch)).toBe('updated');
        expected = change(expected);
        const got = await accounts.get(account.id);
        expect(got).toEqual(expected);
        expectSameKeys(got, expected, `after ${JSON.stringify(patch)}`);
        expect(await accounts.getBySubject(account.provider, account.subject)).toEqual(expected);
      };
      await step({ lastUsedAt: t + 5 * MINUTE }, (e) => ({ ...e, lastUsedAt: t + 5 * MINUTE }));
      await step({ email: 'new@provider.example' }, (e) => ({
        ...e,
        email: 'new@provider.example',
      }));
      await step({ encryptedTokens: 'v1.rotated' }, (e) => ({
        ...e,
        encryptedTokens: 'v1.rotated',
      }));
      await step({}, (e) => e);
      // Keys holding undefined, as a JavaScript caller may pass them: each field stays.
      const undefinedKeys = { email: undefined, encryptedTokens: undefined, lastUsedAt: undefined };
      await step(undefinedKeys as unknown as AccountPatch, (e) => e);
      await step({ email: null }, (e) => without(e, 'email'));
      await step({ encryptedTokens: null, lastUsedAt: t + 9 * MINUTE }, (e) =>
        without({ ...e, lastUsedAt: t + 9 * MINUTE }, 'encryptedTokens'),
      );
      await step({ email: 'back@provider.example', encryptedTokens: 'v1.again' }, (e) => ({
        ...e,
        email: 'back@provider.example',
        encryptedTokens: 'v1.again',
      }));
      expect(await accounts.listByUser(account.userId)).toEqual([expected]);
      const missing = uid('acct');
      expect(await accounts.update(missing, { lastUsedAt: t })).toBe('not_found');
      expect(await accounts.get(missing)).toBeUndefined();
    },
  );

  check(
    'deletes a user’s own link only: another user’s link or a missing one is not_found',
    async (ctx) => {
      const { accounts } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const [mine, spare] = [newAccount(userId, t), newAccount(userId, t + 1)];
      const theirs = newAccount(otherId, t);
      await createAll(ctx, mine, spare, theirs);
      for (const keepOne of [false, true]) {
        expect(await accounts.delete(theirs.id, { userId, keepOne })).toBe('not_found');
        expect(await accounts.delete(uid('acct'), { userId, keepOne })).toBe('not_found');
      }
      expect(await accounts.get(theirs.id)).toEqual(theirs);
      expect(await accounts.listByUser(otherId)).toEqual([theirs]);
      expect(await accounts.listByUser(userId)).toEqual([mine, spare]);
      expect(await unlink(ctx, mine, false)).toBe('deleted');
      expect(await unlink(ctx, mine, false)).toBe('not_found');
      expect(await accounts.get(mine.id)).toBeUndefined();
      expect(await accounts.getBySubject(mine.provider, mine.subject)).toBeUndefined();
      expect(await accounts.listByUser(userId)).toEqual([spare]);
    },
  );

  check('with keepOne, refuses the only link (last) and deletes one of two', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    const [soleId, pairId] = [await ctx.owner(), await ctx.owner()];
    const sole = newAccount(soleId, t);
    const [first, second] = [newAccount(pairId, t), newAccount(pairId, t + 1)];
    await createAll(ctx, sole, first, second);
    // Other users' links do not count: the user's only link is its last.
    expect(await unlink(ctx, sole, true)).toBe('last');
    expect(await accounts.get(sole.id)).toEqual(sole);
    expect(await unlink(ctx, first, true)).toBe('deleted');
    expect(await unlink(ctx, second, true)).toBe('last');
    expect(await accounts.listByUser(pairId)).toEqual([second]);
    // Without keepOne, the last link goes (the user has another way to sign in).
    expect(await unlink(ctx, sole, false)).toBe('deleted');
    expect(await accounts.listByUser(soleId)).toEqual([]);
  });

  check('two concurrent keepOne deletes of a user’s last two links leave one', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    for (let round = 0; round < 5; round += 1) {
      const userId = await ctx.owner();
      const pair = [newAccount(userId, t), newAccount(userId, t + 1)] as const;
      await createAll(ctx, ...pair);
      // In either order of start: the first to start is not always the one that wins.
      const order = round % 2 === 0 ? pair : ([pair[1], pair[0]] as const);
      const results = await race(2, (i) => unlink(ctx, order[i] as AccountRecord, true));
      expect([...results].sort()).toEqual(['deleted', 'last']);
      const left = order[results.indexOf('last')];
      expect(await accounts.listByUser(userId)).toEqual([left]);
    }
  });

  check(
    `${RACERS} concurrent keepOne deletes spread over a user’s three links leave exactly one`,
    async (ctx) => {
      const { accounts } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const links = [newAccount(userId, t), newAccount(userId, t + 1), newAccount(userId, t + 2)];
      await createAll(ctx, ...links);
      const target = (i: number) => links[i % links.length] as AccountRecord;
      const results = await race(RACERS, (i) => unlink(ctx, target(i), true));
      expect(tally(results).get('deleted')).toBe(2);
      const left = await accounts.listByUser(userId);
      expect(left).toHaveLength(1);
      // Every delete of the link that is left was refused as its user's last; those of the
      // others deleted it once and then found it gone.
      const isLeft = (i: number) => target(i).id === left[0]?.id;
      expect(new Set(results.filter((_, i) => isLeft(i)))).toEqual(new Set(['last']));
      const others = results.filter((_, i) => !isLeft(i));
      expect(tally(others).get('deleted')).toBe(2);
      expect(tally(others).get('not_found')).toBe(others.length - 2);
    },
  );

  check('deleteByUser removes every link of the user and no other user’s', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
    const mine = Array.from({ length: 5 }, (_, i) => newAccount(userId, t + i));
    const theirs = [newAccount(otherId, t), newAccount(otherId, t + 1)];
    await createAll(ctx, ...mine, ...theirs);
    await accounts.deleteByUser(userId);
    await accounts.deleteByUser(userId);
    await accounts.deleteByUser(uid('nobody'));
    expect(await accounts.listByUser(userId)).toEqual([]);
    for (const a of mine) {
      expect(await accounts.get(a.id)).toBeUndefined();
      expect(await accounts.getBySubject(a.provider, a.subject)).toBeUndefined();
    }
    expect(await accounts.listByUser(otherId)).toEqual(theirs);
    // The identities are free again.
    const again = newAccount(otherId, t + 2, { subject: mine[0]?.subject ?? '' });
    expect(await accounts.create(again)).toBe('created');
  });

  check(
    'returns copies: mutating a link passed in or returned never changes the store',
    async (ctx) => {
      const { accounts } = ctx.storage();
      const t = startTime();
      const account = newAccount(await ctx.owner(), t);
      const input: Mutable = { ...account };
      await accounts.create(input);
      input.email = 'attacker@example.test';
      input.lastUsedAt = t + 1000 * MINUTE;
      const reads: (AccountRecord | undefined)[] = [
        await accounts.get(account.id),
        await accounts.getBySubject(account.provider, account.subject),
        ...(await accounts.listByUser(account.userId)),
      ];
      expect(reads).toEqual([account, account, account]);
      for (const read of reads as Mutable[]) {
        read.userId = uid('attacker');
        read.encryptedTokens = 'v1.forged';
        read.createdAt = 0;
      }
      expect(await accounts.get(account.id)).toEqual(account);
      expect(await accounts.getBySubject(account.provider, account.subject)).toEqual(account);
      expect(await accounts.listByUser(account.userId)).toEqual([account]);
    },
  );

  check('leaves absent optional fields absent: a link’s email and encryptedTokens', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    const account = bare(newAccount(await ctx.owner(), t));
    await createAll(ctx, account);
    const reads = async () => [
      await accounts.get(account.id),
      await accounts.getBySubject(account.provider, account.subject),
      ...(await accounts.listByUser(account.userId)),
    ];
    for (const read of await reads()) expectSameKeys(read, account, 'a bare link');
    expect(await accounts.update(account.id, { email: null, encryptedTokens: null })).toBe(
      'updated',
    );
    expect(await accounts.update(account.id, { lastUsedAt: t + 1 })).toBe('updated');
    const touched = { ...account, lastUsedAt: t + 1 };
    for (const read of await reads()) {
      expect(read).toEqual(touched);
      expectSameKeys(read, touched, 'a bare link, updated');
    }
  });

  check('keeps an email with non-ASCII characters exactly as the provider sent it', async (ctx) => {
    const { accounts } = ctx.storage();
    const t = startTime();
    // Decomposed "é" (e + U+0301), an astral character, and case: nothing is normalized.
    const email = 'Zoe\u0301.Ünïcødé+😀@Exämple.TEST';
    const account = newAccount(await ctx.owner(), t, { email, subject: `${uid('sub')}-ß😀` });
    await createAll(ctx, account);
    expect((await accounts.get(account.id))?.email).toBe(email);
    expect(await accounts.getBySubject(account.provider, account.subject)).toEqual(account);
    const next = 'ΔΙΚΗ@παράδειγμα.δοκιμή';
    expect(await accounts.update(account.id, { email: next })).toBe('updated');
    expect((await accounts.listByUser(account.userId))[0]?.email).toBe(next);
  });
}
