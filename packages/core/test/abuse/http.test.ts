import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import type { AuthConfig } from '../../src/index.js';
import { PASSWORD, setup } from '../flows/helpers.js';
import { WRONG } from './helpers.js';

const ORIGIN = 'https://app.example.com';

async function http(over: Partial<AuthConfig> = {}) {
  const s = await setup(over);
  const handler = createHttpHandler(s.auth);
  const call = async (
    path: string,
    body: unknown,
    opts: { remoteAddress?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json', ...opts.headers },
        body: JSON.stringify(body),
      }),
      { remoteAddress: opts.remoteAddress ?? '203.0.113.7' },
    );
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      text: await res.text(),
    };
  };
  const login = (identifier: string, password: string, remoteAddress?: string) =>
    call('/login', { identifier, password }, remoteAddress ? { remoteAddress } : {});
  return { ...s, call, login };
}

const RATE_LIMITED_BODY = /^\{"error":\{"code":"RATE_LIMITED","message":"[^"]+"\}\}$/;

describe('throttles over HTTP', () => {
  it('a locked account answers 429 with Retry-After, the same for known and unknown', async () => {
    const { login, signUp } = await http();
    await signUp('ada@example.com');
    const answers = { known: [] as unknown[], unknown: [] as unknown[] };
    for (let i = 0; i < 5; i++) {
      answers.known.push(await login('ada@example.com', WRONG));
      answers.unknown.push(await login('ghost@example.com', WRONG));
    }
    const known = await login('ada@example.com', PASSWORD);
    const unknown = await login('ghost@example.com', PASSWORD);
    expect(known).toMatchObject({ status: 429, retryAfter: '900' });
    expect(known.text).toMatch(RATE_LIMITED_BODY);
    expect(known.text).not.toContain('retryAfter');
    expect(unknown).toEqual(known);
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known[0]).toMatchObject({ status: 401, retryAfter: null });
  });

  it('4th password reset request for one address in an hour: 429, the same for unknown', async () => {
    const { call, signUp } = await http();
    await signUp('ada@example.com');
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await call('/password/reset', { email: 'ada@example.com' }));
      unknown.push(await call('/password/reset', { email: 'ghost@example.com' }));
    }
    expect(known.slice(0, 3)).toEqual(
      Array(3).fill({ status: 202, retryAfter: null, text: '{"status":"reset_sent"}' }),
    );
    expect(known[3]).toMatchObject({ status: 429, retryAfter: '3600' });
    expect(unknown).toEqual(known);
  });

  it('4th verification resend for one address in an hour: 429 with Retry-After', async () => {
    const { call } = await http();
    for (let i = 0; i < 3; i++) {
      expect((await call('/email/verify/resend', { email: 'ghost@example.com' })).status).toBe(202);
    }
    const refused = await call('/email/verify/resend', { email: 'ghost@example.com' });
    expect(refused).toMatchObject({ status: 429, retryAfter: '3600' });
    expect(refused.text).toMatch(RATE_LIMITED_BODY);
  });

  it('a client cannot dodge the per-IP limit with X-Forwarded-For when no proxy is trusted', async () => {
    const { call } = await http();
    for (let i = 0; i < 20; i++) {
      const res = await call(
        '/password/reset',
        { email: `user${i}@example.com` },
        { headers: { 'x-forwarded-for': `198.51.100.${i}` } },
      );
      expect(res.status).toBe(202);
    }
    const refused = await call(
      '/password/reset',
      { email: 'fresh@example.com' },
      { headers: { 'x-forwarded-for': '192.0.2.200' } },
    );
    expect(refused).toMatchObject({ status: 429, retryAfter: '3600' });
    // Another socket address is another client.
    const other = await call(
      '/password/reset',
      { email: 'fresh@example.com' },
      {
        remoteAddress: '198.51.100.1',
      },
    );
    expect(other.status).toBe(202);
  });

  it('behind a trusted proxy, each forwarded client has its own per-IP budget', async () => {
    const { call } = await http({ trustProxy: 1 });
    const from = (client: string) => ({
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': client },
    });
    for (let i = 0; i < 20; i++) {
      await call('/password/reset', { email: `user${i}@example.com` }, from('192.0.2.1'));
    }
    const refused = await call('/password/reset', { email: 'x@example.com' }, from('192.0.2.1'));
    expect(refused.status).toBe(429);
    const other = await call('/password/reset', { email: 'x@example.com' }, from('192.0.2.2'));
    expect(other.status).toBe(202);
  });

  it('the right password works again once the clock passes the lock', async () => {
    const { login, signUp, clock } = await http();
    await signUp('ada@example.com');
    for (let i = 0; i < 5; i++) await login('ada@example.com', WRONG);
    clock.advance(900_000);
    expect((await login('ada@example.com', PASSWORD)).status).toBe(200);
  });
});
