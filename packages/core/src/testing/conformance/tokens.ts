import { expect } from 'vitest';
import { TOKEN_PURPOSES } from '../../storage/purposes.js';
import type { OneTimeTokenRecord } from '../../storage/types/tokens.js';
import {
  type AddCheck,
  type ConformanceContext,
  HOUR,
  newToken,
  RACERS,
  race,
  startTime,
  tally,
  uid,
} from './fixtures.js';

/** A token record as a careless caller treats it. */
type Mutable = {
  payload: { newEmail: string; list: string[] };
  expiresAt: number;
  attempts: number;
};

/**
 * A live token of no user (`userId` absent, as for the OAuth `state` of a social sign-in) that
 * expires in one hour; otherwise as {@link newToken} makes them.
 */
export function newUserlessToken(
  now: number,
  overrides: Partial<OneTimeTokenRecord> = {},
): OneTimeTokenRecord {
  const { userId: _userId, ...token } = newToken('', now, overrides);
  return token;
}

/** Consumes `token` with its own verifier (or `verifierHash`) at `now`. */
const consume = (
  ctx: ConformanceContext,
  token: OneTimeTokenRecord,
  now: number,
  verifierHash = token.verifierHash,
) => ctx.storage().tokens.consume(token.purpose, token.selector, { verifierHash, now });

/** Registers the checks of `tokens`. */
export function tokenChecks(check: AddCheck): void {
  check('creates a token, reads it while live, and refuses a duplicate selector', async (ctx) => {
    const { tokens } = ctx.storage();
    const t = startTime();
    const token = newToken(await ctx.owner(), t);
    expect(await tokens.create(token)).toBe('created');
    expect(await tokens.create({ ...token, verifierHash: 'other' })).toBe('conflict');
    expect(await tokens.get(token.purpose, token.selector, t + HOUR - 1)).toEqual(token);
    expect(await tokens.get(token.purpose, token.selector, t + HOUR)).toBeUndefined();
    expect(await tokens.get(token.purpose, uid('missing'), t)).toBeUndefined();
  });

  check('consumes a live token once: ok with the record, then not_found', async (ctx) => {
    const t = startTime();
    const token = newToken(await ctx.owner(), t);
    await ctx.storage().tokens.create(token);
    expect(await consume(ctx, token, t)).toEqual({ status: 'ok', record: token });
    expect(await consume(ctx, token, t)).toEqual({ status: 'not_found' });
    expect(await ctx.storage().tokens.get(token.purpose, token.selector, t)).toBeUndefined();
  });

  check('answers not_found for a wrong verifier and leaves the token in place', async (ctx) => {
    const t = startTime();
    const token = newToken(await ctx.owner(), t);
    await ctx.storage().tokens.create(token);
    expect(await consume(ctx, token, t, 'wrong-verifier-hash')).toEqual({ status: 'not_found' });
    expect(await consume(ctx, token, t)).toEqual({ status: 'ok', record: token });
  });

  check(
    'treats now === expiresAt as expired, and deletes an expired token it matched',
    async (ctx) => {
      const t = startTime();
      const token = newToken(await ctx.owner(), t);
      await ctx.storage().tokens.create(token);
      expect(await consume(ctx, token, t + HOUR)).toEqual({ status: 'expired' });
      expect(await consume(ctx, token, t)).toEqual({ status: 'not_found' });
    },
  );

  check(
    'answers not_found for a wrong verifier even when expired, and keeps the token',
    async (ctx) => {
      const t = startTime();
      const token = newToken(await ctx.owner(), t);
      await ctx.storage().tokens.create(token);
      expect(await consume(ctx, token, t + 2 * HOUR, 'wrong-verifier-hash')).toEqual({
        status: 'not_found',
      });
      expect(await consume(ctx, token, t + 2 * HOUR)).toEqual({ status: 'expired' });
    },
  );

  check(
    'keeps purposes apart: a selector of one purpose is not found under another',
    async (ctx) => {
      const t = startTime();
      const token = newToken(await ctx.owner(), t);
      await ctx.storage().tokens.create(token);
      expect(await consume(ctx, { ...token, purpose: 'other_purpose' }, t)).toEqual({
        status: 'not_found',
      });
      expect(await consume(ctx, token, t)).toMatchObject({ status: 'ok' });
    },
  );

  check(`of ${RACERS} concurrent consumes of one token, exactly one is ok`, async (ctx) => {
    const t = startTime();
    const token = newToken(await ctx.owner(), t);
    await ctx.storage().tokens.create(token);
    const results = await race(RACERS, () => consume(ctx, token, t));
    const statuses = tally(results.map((r) => r.status));
    expect(statuses.get('ok')).toBe(1);
    expect(statuses.get('not_found')).toBe(RACERS - 1);
  });

  check(
    'counts wrong codes, answers the attempts left, and deletes the token at maxAttempts',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const token = newToken(await ctx.owner(), t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
      await tokens.create(token);
      const fail = () => tokens.recordFailure(token.purpose, token.selector, { maxAttempts: 3 });
      expect(await fail()).toBe(2);
      expect(await tokens.get(token.purpose, token.selector, t)).toEqual({ ...token, attempts: 1 });
      expect(await fail()).toBe(1);
      expect(await fail()).toBe(0);
      expect(await tokens.get(token.purpose, token.selector, t)).toBeUndefined();
      expect(await consume(ctx, token, t)).toEqual({ status: 'not_found' });
      expect(await fail()).toBe(0);
    },
  );

  check(`counts ${RACERS} concurrent wrong codes exactly`, async (ctx) => {
    const { tokens } = ctx.storage();
    const t = startTime();
    const token = newToken(await ctx.owner(), t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
    await tokens.create(token);
    const results = await race(RACERS, () =>
      tokens.recordFailure(token.purpose, token.selector, { maxAttempts: RACERS }),
    );
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: RACERS }, (_, i) => i));
    expect(await tokens.get(token.purpose, token.selector, t)).toBeUndefined();
  });

  check('deletes one token, a user’s tokens of one purpose, or all of them', async (ctx) => {
    const { tokens } = ctx.storage();
    const t = startTime();
    const userId = await ctx.owner();
    const link = newToken(userId, t);
    const otp = newToken(userId, t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
    const otp2 = newToken(userId, t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
    const other = newToken(await ctx.owner(), t);
    for (const x of [link, otp, otp2, other]) await tokens.create(x);
    await tokens.delete(otp2.purpose, otp2.selector);
    await tokens.delete(otp2.purpose, otp2.selector);
    expect(await tokens.get(otp2.purpose, otp2.selector, t)).toBeUndefined();
    await tokens.deleteByUser(userId, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
    expect(await tokens.get(otp.purpose, otp.selector, t)).toBeUndefined();
    expect(await tokens.get(link.purpose, link.selector, t)).toEqual(link);
    await tokens.deleteByUser(userId);
    expect(await tokens.get(link.purpose, link.selector, t)).toBeUndefined();
    expect(await tokens.get(other.purpose, other.selector, t)).toEqual(other);
  });

  check(
    'a token of no user is created once, read, counted by recordFailure and consumed like any other',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const token = newUserlessToken(t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
      expect(await tokens.create(token)).toBe('created');
      expect(await tokens.create({ ...token, verifierHash: 'other' })).toBe('conflict');
      expect(await tokens.get(token.purpose, token.selector, t)).toEqual(token);
      expect(await tokens.recordFailure(token.purpose, token.selector, { maxAttempts: 3 })).toBe(2);
      const failed = { ...token, attempts: 1 };
      expect(await tokens.get(token.purpose, token.selector, t)).toEqual(failed);
      expect(await consume(ctx, token, t, 'wrong-verifier-hash')).toEqual({ status: 'not_found' });
      expect(await consume(ctx, token, t)).toEqual({ status: 'ok', record: failed });
      expect(await consume(ctx, token, t)).toEqual({ status: 'not_found' });
      // Killed by its last wrong code, and expired at expiresAt, as a user's token is.
      const killed = newUserlessToken(t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
      await tokens.create(killed);
      expect(await tokens.recordFailure(killed.purpose, killed.selector, { maxAttempts: 1 })).toBe(
        0,
      );
      expect(await tokens.get(killed.purpose, killed.selector, t)).toBeUndefined();
      const late = newUserlessToken(t);
      await tokens.create(late);
      expect(await tokens.get(late.purpose, late.selector, t + HOUR)).toBeUndefined();
      expect(await consume(ctx, late, t + HOUR)).toEqual({ status: 'expired' });
    },
  );

  check(
    'deleteByUser, of any user and with or without a purpose, never deletes a token of no user',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const userless = [
        newUserlessToken(t),
        newUserlessToken(t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode }),
      ];
      const owned = [
        newToken(userId, t),
        newToken(userId, t, { purpose: TOKEN_PURPOSES.twoFactorSmsCode }),
      ];
      for (const x of [...userless, ...owned]) await tokens.create(x);
      await tokens.deleteByUser(userId, { purpose: TOKEN_PURPOSES.verifyEmail });
      await tokens.deleteByUser(userId);
      // Ids a store might have written for "no user": none of them owns the token.
      for (const id of ['', 'null', 'undefined', uid('user')]) {
        await tokens.deleteByUser(id, { purpose: TOKEN_PURPOSES.twoFactorSmsCode });
        await tokens.deleteByUser(id);
      }
      for (const x of owned)
        expect(await tokens.get(x.purpose, x.selector, t), x.purpose).toBeUndefined();
      for (const x of userless) {
        expect(await tokens.get(x.purpose, x.selector, t), x.purpose).toEqual(x);
        expect(await consume(ctx, x, t), x.purpose).toEqual({ status: 'ok', record: x });
      }
    },
  );

  check(
    'a token of no user and a user’s token of one purpose live side by side, each under its selector',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const userless = newUserlessToken(t);
      const owned = newToken(userId, t);
      expect(await tokens.create(userless)).toBe('created');
      expect(await tokens.create(owned)).toBe('created');
      expect(await tokens.get(userless.purpose, userless.selector, t)).toEqual(userless);
      expect(await tokens.get(owned.purpose, owned.selector, t)).toEqual(owned);
      // Each verifier opens its own token only.
      expect(await consume(ctx, userless, t, owned.verifierHash)).toEqual({ status: 'not_found' });
      expect(await consume(ctx, userless, t)).toEqual({ status: 'ok', record: userless });
      expect(await tokens.get(owned.purpose, owned.selector, t)).toEqual(owned);
      expect(await consume(ctx, owned, t)).toEqual({ status: 'ok', record: owned });
    },
  );

  check('returns copies: mutating a returned payload never changes the store', async (ctx) => {
    const { tokens } = ctx.storage();
    const t = startTime();
    const token = newToken(await ctx.owner(), t);
    await tokens.create(token);
    const read = (await tokens.get(token.purpose, token.selector, t)) as unknown as {
      payload: { newEmail: string };
    };
    read.payload.newEmail = 'attacker@example.test';
    expect(await consume(ctx, token, t)).toEqual({ status: 'ok', record: token });
  });

  check(
    'returns copies: mutating the record consume answered never changes the store',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      // One payload object for two tokens, as a caller that sends a link twice may build them.
      const payload = { newEmail: 'new@example.test', list: ['a'] };
      const [token, sibling] = [newToken(userId, t, { payload }), newToken(userId, t, { payload })];
      const kept = structuredClone(sibling);
      for (const x of [token, sibling]) await tokens.create(x);
      const result = await consume(ctx, token, t);
      expect(result).toEqual({ status: 'ok', record: token });
      const record = (result as unknown as { record: Mutable }).record;
      record.payload.newEmail = 'attacker@example.test';
      record.payload.list.push('b');
      record.expiresAt = t + 1000 * HOUR;
      record.attempts = -1;
      expect(await tokens.get(token.purpose, token.selector, t)).toBeUndefined();
      expect(await consume(ctx, token, t)).toEqual({ status: 'not_found' });
      expect(await tokens.get(sibling.purpose, sibling.selector, t)).toEqual(kept);
      expect(await consume(ctx, sibling, t)).toEqual({ status: 'ok', record: kept });
    },
  );
}
