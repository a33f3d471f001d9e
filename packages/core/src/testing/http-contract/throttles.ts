import { describe, expect, it } from 'vitest';
import type { RateLimitRuleName } from '../../config/types.js';
import type { ContractResponse } from './client.js';
import type { ContractContext } from './context.js';
import { expectError } from './expect.js';

const WRONG = 'not the password at all';

/** What a client can compare between two answers: status, body and `Retry-After`. */
function answer(res: ContractResponse) {
  return { status: res.status, text: res.text, retryAfter: res.headers.get('retry-after') };
}

/** Asserts `429 RATE_LIMITED` with a `Retry-After` of whole seconds; resolves to them. */
function expectRateLimited(res: ContractResponse): number {
  expectError(res, 429, 'RATE_LIMITED');
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  return Number(retryAfter);
}

/**
 * The default throttles (`docs/configuration.md`, "Options and defaults", and `docs/rate-limits.md`): account lockout
 * and the per-address limits of mail requests answer `429 RATE_LIMITED` with `Retry-After`,
 * identically for known and unknown accounts. A check whose rule the integrator turned off
 * (`config.rateLimits`) is skipped.
 */
export function describeThrottles(ctx: ContractContext): void {
  const rule = (name: RateLimitRuleName) => ctx.auth().options.rateLimits[name];
  const login = (identifier: string, password: string) =>
    ctx.client().request('POST', '/login', { json: { identifier, password } });

  describe('throttling (429 RATE_LIMITED with Retry-After)', () => {
    it('locks an account after too many wrong passwords, the right one included; unknown identifiers alike', async (t) => {
      const config = rule('loginPerAccount');
      if (config === false || config.lockSeconds === undefined) return t.skip();
      const account = await ctx.signUp();
      const ghost = ctx.newAccount();
      for (let i = 0; i < config.limit; i++) {
        const known = await login(account.email, WRONG);
        expectError(known, 401, 'INVALID_CREDENTIALS');
        expect(answer(await login(ghost.email, WRONG))).toEqual(answer(known));
      }
      const locked = await login(account.email, account.password);
      const seconds = expectRateLimited(locked);
      expect(seconds).toBe(Math.max(config.lockSeconds, config.windowSeconds));
      expect(answer(await login(ghost.email, ghost.password))).toEqual(answer(locked));
      ctx.clock.advance(seconds * 1000);
      expect((await login(account.email, account.password)).status).toBe(200);
    });

    for (const [path, name] of [
      ['/password/reset', 'passwordResetPerAddress'],
      ['/email/verify/resend', 'verificationResendPerAddress'],
    ] as const) {
      it(`limits POST ${path} per address, known and unknown alike`, async (t) => {
        const config = rule(name);
        if (config === false) return t.skip();
        const account = await ctx.signUp({ verify: path === '/password/reset' });
        const ghost = ctx.newAccount();
        const ask = (email: string) => ctx.client().request('POST', path, { json: { email } });
        for (let i = 0; i < config.limit; i++) {
          const known = await ask(account.email);
          expect(known.status).toBe(202);
          expect(answer(await ask(ghost.email))).toEqual(answer(known));
        }
        const refused = await ask(account.email.toUpperCase());
        const seconds = expectRateLimited(refused);
        expect(seconds).toBeLessThanOrEqual(config.windowSeconds);
        expect(answer(await ask(ghost.email))).toEqual(answer(refused));
      });
    }
  });
}
