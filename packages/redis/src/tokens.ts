import type { OneTimeTokenRecord, TokenStore } from '@portcullis/core/storage';
import { arg, num, type StoreContext } from './context.js';

/** A token from its `base` JSON (the record without `attempts`) and its attempts field. */
function decodeToken(base: string | null | undefined, attempts: string | null | undefined) {
  if (base === null || base === undefined) return undefined;
  const record = JSON.parse(base) as Omit<OneTimeTokenRecord, 'attempts'>;
  return { ...record, attempts: num(attempts) ?? 0 } satisfies OneTimeTokenRecord;
}

/** A user's index entry for a token: its purpose and selector, as one sorted-set member. */
const member = (purpose: string, selector: string) => JSON.stringify([purpose, selector]);

/**
 * One-time tokens over Redis. `token:<purpose>:<selector>` is a hash (`base` JSON, `verifier`,
 * `attempts`, `user`) collected a grace period after `expiresAt`; `user-tokens:<userId>` is a
 * sorted set of the user's tokens scored by expiry, written before the token. A token of no
 * user (`userId` absent) has neither the `user` field nor an index entry, so no `deleteByUser`
 * finds it. `consume` and `recordFailure` are one Lua script each on the token's key alone.
 */
export function redisTokenStore({ client, run, keys, graceMs }: StoreContext): TokenStore {
  return {
    async create(token) {
      // JSON drops an absent (or undefined) userId: `base` of a token of no user has none.
      const { attempts, ...base } = token;
      const { userId } = token;
      if (userId !== undefined) {
        // Index first, so deleteByUser can always find a token that exists.
        const entry = member(token.purpose, token.selector);
        await run.indexAdd(keys.userTokens(userId), entry, arg(token.expiresAt), arg(graceMs));
      }
      const created = await run.put(
        keys.token(token.purpose, token.selector),
        'nx',
        arg(token.expiresAt + graceMs),
        ...['base', JSON.stringify(base), 'verifier', token.verifierHash],
        ...['attempts', arg(attempts)],
        ...(userId === undefined ? [] : ['user', userId]),
      );
      // On a conflict the entry may point at another user's token: deleteByUser checks owners.
      return Number(created) === 1 ? 'created' : 'conflict';
    },

    async consume(purpose, selector, { verifierHash, now }) {
      const found = await run.tokenConsume(keys.token(purpose, selector), verifierHash);
      // nil: a missing token or a wrong verifier, which the script left in place.
      if (!Array.isArray(found)) return { status: 'not_found' };
      const record = decodeToken(found[0] as string, found[1] as string);
      if (record === undefined) return { status: 'not_found' };
      return now < record.expiresAt ? { status: 'ok', record } : { status: 'expired' };
    },

    async recordFailure(purpose, selector, { maxAttempts }) {
      const left = await run.tokenFail(keys.token(purpose, selector), arg(maxAttempts));
      return Math.max(0, Number(left));
    },

    async get(purpose, selector, now) {
      const [base, attempts] = await client.hmget(
        keys.token(purpose, selector),
        'base',
        'attempts',
      );
      const record = decodeToken(base, attempts);
      return record !== undefined && now < record.expiresAt ? record : undefined;
    },

    async delete(purpose, selector) {
      await client.del(keys.token(purpose, selector));
    },

    async deleteByUser(userId, options = {}) {
      const entries = await client.zrange(keys.userTokens(userId), '0', '-1');
      const doomed = entries
        .map((entry) => JSON.parse(entry) as [string, string])
        .filter(([purpose]) => options.purpose === undefined || purpose === options.purpose);
      // Only the user's own tokens: an entry left by a conflicting create names someone else's.
      await Promise.all(
        doomed.map(([purpose, selector]) =>
          run.deleteIfOwner(keys.token(purpose, selector), userId),
        ),
      );
    },
  };
}
