import { expect } from 'vitest';
import { TOKEN_PURPOSES } from '../../storage/purposes.js';
import type { OneTimeTokenRecord } from '../../storage/types/tokens.js';
import { type AddCheck, expectSameKeys, newToken, startTime } from './fixtures.js';
import { newUserlessToken } from './tokens.js';

/** A token record as a careless caller treats it. */
type Mutable = {
  payload: { newEmail: string; list: string[] };
  verifierHash: string;
  expiresAt: number;
};

const OTP = TOKEN_PURPOSES.twoFactorSmsCode;

/**
 * Registers the checks of `tokens` on many records and on fields: `deleteByUser` over five
 * tokens per purpose, an absent payload, an absent userId, and copies of what `create` got.
 */
export function tokenFieldChecks(check: AddCheck): void {
  check(
    'deleteByUser removes all five of a user’s tokens of one purpose, then all the rest, and no other user’s',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const [userId, otherId] = [await ctx.owner(), await ctx.owner()];
      const links = Array.from({ length: 5 }, () => newToken(userId, t));
      const otps = Array.from({ length: 5 }, () => newToken(userId, t, { purpose: OTP }));
      const theirs = [newToken(otherId, t), newToken(otherId, t, { purpose: OTP })];
      for (let i = 0; i < 5; i += 1) {
        for (const x of [links[i], otps[i], theirs[i % 2]]) {
          // The other user's two tokens are created once each, between the user's.
          if (x !== undefined && (x.userId === userId || i < 2)) await tokens.create(x);
        }
      }
      const get = (x: OneTimeTokenRecord) => tokens.get(x.purpose, x.selector, t);
      await tokens.deleteByUser(userId, { purpose: OTP });
      for (const x of otps) expect(await get(x), `${OTP} ${x.selector}`).toBeUndefined();
      for (const x of [...links, ...theirs]) expect(await get(x), x.selector).toEqual(x);
      await tokens.deleteByUser(userId);
      for (const x of links) expect(await get(x), x.selector).toBeUndefined();
      for (const x of theirs) expect(await get(x), x.selector).toEqual(x);
    },
  );

  check(
    'leaves an absent payload absent (no null, no undefined key) through get, recordFailure and consume',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const { payload: _payload, ...token } = newToken(await ctx.owner(), t, { purpose: OTP });
      await tokens.create(token);
      expectSameKeys(await tokens.get(token.purpose, token.selector, t), token, 'tokens.get');
      await tokens.recordFailure(token.purpose, token.selector, { maxAttempts: 5 });
      const failed = await tokens.get(token.purpose, token.selector, t);
      expectSameKeys(failed, token, 'tokens.get after recordFailure');
      const options = { verifierHash: token.verifierHash, now: t };
      const result = await tokens.consume(token.purpose, token.selector, options);
      expect(result).toEqual({ status: 'ok', record: { ...token, attempts: 1 } });
      expectSameKeys(result.status === 'ok' ? result.record : undefined, token, 'consume record');
    },
  );

  check(
    'leaves an absent userId absent (no null, no empty string, no undefined key) through get, recordFailure and consume',
    async (ctx) => {
      const { tokens } = ctx.storage();
      const t = startTime();
      const { payload: _payload, ...bare } = newUserlessToken(t, { purpose: OTP });
      // With a payload and without one: neither absent field may come back as a key.
      const cases: readonly OneTimeTokenRecord[] = [newUserlessToken(t, { purpose: OTP }), bare];
      for (const token of cases) {
        const what = token.payload === undefined ? 'no payload' : 'a payload';
        await tokens.create(token);
        const read = await tokens.get(token.purpose, token.selector, t);
        expectSameKeys(read, token, `tokens.get, ${what}`);
        expect(read, `tokens.get, ${what}`).toEqual(token);
        await tokens.recordFailure(token.purpose, token.selector, { maxAttempts: 5 });
        const failed = await tokens.get(token.purpose, token.selector, t);
        expectSameKeys(failed, token, `tokens.get after recordFailure, ${what}`);
        const options = { verifierHash: token.verifierHash, now: t };
        const result = await tokens.consume(token.purpose, token.selector, options);
        expect(result).toEqual({ status: 'ok', record: { ...token, attempts: 1 } });
        const record = result.status === 'ok' ? result.record : undefined;
        expectSameKeys(record, token, `consume record, ${what}`);
      }
    },
  );

  check('returns copies: mutating the token create got never changes the store', async (ctx) => {
    const { tokens } = ctx.storage();
    const t = startTime();
    const payload = { newEmail: 'new@example.test', list: ['a'] };
    const token = newToken(await ctx.owner(), t, { payload });
    const input = structuredClone(token) as unknown as Mutable;
    expect(await tokens.create(input as unknown as OneTimeTokenRecord)).toBe('created');
    input.payload.newEmail = 'attacker@example.test';
    input.payload.list.push('b');
    input.verifierHash = 'guessed';
    input.expiresAt = t;
    expect(await tokens.get(token.purpose, token.selector, t)).toEqual(token);
    const options = { verifierHash: token.verifierHash, now: t };
    expect(await tokens.consume(token.purpose, token.selector, options)).toEqual({
      status: 'ok',
      record: token,
    });
  });
}
