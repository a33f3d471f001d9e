import { describe, expect, it } from 'vitest';
import { ruleKey } from '../../src/abuse/rate-limit.js';
import type { RateLimitRuleName } from '../../src/config/types.js';
import type { Auth, AuthConfig, RequestContext } from '../../src/index.js';
import { CTX, PASSWORD, setup, T0 } from '../flows/helpers.js';
import { describeError, type Refusal } from './helpers.js';

const HOUR = 3_600_000;

/** The two throttled mail requests, with their rules and the mail they send. */
const FLOWS = [
  {
    name: 'password reset request',
    perAddress: 'passwordResetPerAddress',
    perIp: 'passwordResetPerIp',
    kind: 'password-reset',
    call: (auth: Auth, email: string, ctx: RequestContext) =>
      auth.passwords.requestReset(email, ctx),
  },
  {
    name: 'verification resend',
    perAddress: 'verificationResendPerAddress',
    perIp: 'verificationResendPerIp',
    kind: 'verify-email',
    call: (auth: Auth, email: string, ctx: RequestContext) => auth.resendVerification(email, ctx),
  },
] as const;

/** Resolves to the answer's JSON, or to the refusal. */
async function outcome(p: Promise<unknown>): Promise<string | Refusal> {
  try {
    return JSON.stringify(await p);
  } catch (e) {
    return describeError(e);
  }
}

describe.each(FLOWS)('$name', (flow) => {
  /** Known address: verified for a reset, unverified for a resend (so both get mail). */
  async function start(over: Partial<AuthConfig> = {}) {
    const s = await setup(over);
    if (flow.kind === 'password-reset') await s.signUp('ada@example.com');
    else await s.auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    s.mailer.clear();
    return s;
  }
  const send = (auth: Auth, email: string, ctx: RequestContext = CTX) =>
    outcome(flow.call(auth, email, ctx));

  it('3 per hour per address: the 4th is RATE_LIMITED until the window ends', async () => {
    const { auth, clock, mailer } = await start();
    for (let i = 0; i < 3; i++) {
      expect(typeof (await send(auth, 'ada@example.com'))).toBe('string');
      clock.advance(10 * 60_000);
    }
    expect(await send(auth, 'ada@example.com')).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      retryAfterSeconds: 3600 - 1800,
    });
    expect(mailer.messages.filter((m) => m.kind === flow.kind)).toHaveLength(3);
    clock.advance(HOUR / 2);
    expect(typeof (await send(auth, 'ada@example.com'))).toBe('string');
  });

  it('an unknown address gets the same answers, and the same count, as a known one', async () => {
    const { auth, storage } = await start();
    const known: (string | Refusal)[] = [];
    const unknown: (string | Refusal)[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await send(auth, 'ada@example.com'));
      unknown.push(await send(auth, 'ghost@example.com'));
    }
    expect(unknown).toEqual(known);
    const count = (email: string) => storage.rateLimits.peek(ruleKey(flow.perAddress, email), T0);
    expect(await count('ghost@example.com')).toEqual(await count('ada@example.com'));
    expect(await count('ada@example.com')).toMatchObject({ count: 5 });
  });

  it('spellings of one address share its counter; a malformed one is counted too', async () => {
    const { auth } = await start();
    for (const email of ['ada@example.com', ' ADA@example.com', 'Ada@Example.COM']) {
      await send(auth, email);
    }
    expect(await send(auth, 'ada@EXAMPLE.com')).toMatchObject({ code: 'RATE_LIMITED' });
    for (let i = 0; i < 3; i++) await send(auth, 'not an address');
    expect(await send(auth, 'not an address')).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('20 per hour per IP: the 21st is refused whatever the address; other IPs are not', async () => {
    const { auth, storage } = await start();
    for (let i = 0; i < 20; i++) {
      expect(typeof (await send(auth, `user${i}@example.com`))).toBe('string');
    }
    expect(await send(auth, 'ada@example.com')).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 3600,
    });
    // Refused by its IP, the request did not use up the address's own budget.
    expect(await storage.rateLimits.peek(ruleKey(flow.perAddress, 'ada@example.com'), T0)).toBe(
      undefined,
    );
    expect(typeof (await send(auth, 'ada@example.com', { ip: '198.51.100.9' }))).toBe('string');
  });

  it('a direct call without an IP counts only the address', async () => {
    const { auth } = await start();
    for (let i = 0; i < 25; i++) await send(auth, `user${i}@example.com`, {});
    expect(typeof (await send(auth, 'ada@example.com'))).toBe('string');
  });

  it('rules set to false turn the throttles off', async () => {
    const rateLimits = {
      [flow.perAddress]: false,
      [flow.perIp]: false,
      mailPerRecipient: false,
    } as Partial<Record<RateLimitRuleName, false>>;
    const { auth, mailer } = await start({ rateLimits });
    for (let i = 0; i < 25; i++) {
      expect(typeof (await send(auth, 'ada@example.com'))).toBe('string');
    }
    expect(mailer.messages.filter((m) => m.kind === flow.kind)).toHaveLength(25);
  });
});

describe('the throttles are separate', () => {
  it('reset requests do not use up the resend budget, nor sign-in attempts', async () => {
    const { auth } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    for (let i = 0; i < 3; i++) await auth.passwords.requestReset('ada@example.com', CTX);
    await expect(auth.passwords.requestReset('ada@example.com', CTX)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await expect(auth.resendVerification('ada@example.com', CTX)).resolves.toEqual({
      status: 'verification_sent',
    });
    await expect(
      auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
    ).rejects.toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
  });
});
