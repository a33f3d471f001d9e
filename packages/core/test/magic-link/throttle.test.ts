import { describe, expect, it } from 'vitest';
import { ADA, CTX, MINUTE, NOBODY, setupMagic } from './helpers.js';

const rateLimited = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (e: { code: string; retryAfterSeconds?: number }) => {
      expect(e.code).toBe('RATE_LIMITED');
      expect(e.retryAfterSeconds).toBeGreaterThan(0);
      return e.code;
    },
  );

describe('throttles', () => {
  for (const [name, address] of [
    ['a known address', ADA],
    ['an unknown address', NOBODY],
  ] as const) {
    it(`${name}: 3 requests an hour, the 4th RATE_LIMITED, again an hour later`, async () => {
      const s = await setupMagic();
      await s.signUp(ADA);
      for (let i = 0; i < 3; i++) {
        // From different IPs: the address's own limit.
        expect(await s.auth.magicLink.request(address, { ...CTX, ip: `198.51.100.${i}` })).toEqual({
          status: 'link_sent',
        });
      }
      expect(await rateLimited(s.auth.magicLink.request(address, CTX))).toBe('RATE_LIMITED');
      // The key is the normalized address.
      expect(await rateLimited(s.auth.magicLink.request(` ${address.toUpperCase()}`, CTX))).toBe(
        'RATE_LIMITED',
      );
      s.clock.advance(60 * MINUTE);
      expect(await s.auth.magicLink.request(address, CTX)).toEqual({ status: 'link_sent' });
    });
  }

  it('per IP: 20 requests an hour whatever the addresses, then RATE_LIMITED; other IPs go on', async () => {
    const s = await setupMagic();
    for (let i = 0; i < 20; i++) {
      await s.auth.magicLink.request(`user${i}@example.com`, CTX);
    }
    expect(await rateLimited(s.auth.magicLink.request('fresh@example.com', CTX))).toBe(
      'RATE_LIMITED',
    );
    expect(
      await s.auth.magicLink.request('fresh@example.com', { ...CTX, ip: '198.51.100.9' }),
    ).toEqual({ status: 'link_sent' });
  });

  it('a client over its IP limit does not use up the budget of the address it names', async () => {
    const s = await setupMagic({
      rateLimits: { magicLinkPerIp: { limit: 1, windowSeconds: 3600 } },
    });
    await s.signUp(ADA);
    await s.auth.magicLink.request(NOBODY, CTX);
    for (let i = 0; i < 5; i++) await rateLimited(s.auth.magicLink.request(ADA, CTX));
    // Ada, from elsewhere, still has her three.
    for (let i = 0; i < 3; i++) {
      await s.auth.magicLink.request(ADA, { ...CTX, ip: `198.51.100.${i}` });
    }
    expect(s.mailer.messages.filter((m) => m.kind === 'magic-link')).toHaveLength(3);
  });

  it('the verification has no throttle of its own beyond the code limit: a right link works after refusals', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const { token } = await s.requested();
    for (let i = 0; i < 30; i++) {
      await s.auth.magicLink.verify({ token: `${token.split('.')[0]}.x${i}` }, CTX).catch(() => {});
    }
    expect((await s.auth.magicLink.verify({ token }, CTX)).status).toBe('signed_in');
  });
});
