import { describe, expect, it } from 'vitest';
import type { CookieConfig } from '../../src/config/types.js';
import { createHttpHandler } from '../../src/http/index.js';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '../../src/index.js';
import { createPasswordHasher } from '../../src/password/index.js';
import { fakeClock } from '../../src/testing/index.js';
import { DEFAULT_TOTP_PARAMS, totpCode } from '../../src/two-factor/index.js';

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'violet tangerine orbit';
const STEP_MS = 30_000;

/** An Auth with one user who has TOTP on, and a handler in front of it. */
async function twoFactorUser(cookies: CookieConfig = {}) {
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const auth = createAuth({
    storage: memoryStorage(),
    mailer: memoryMailer(),
    appUrl: ORIGIN,
    secret: 's'.repeat(32),
    logger: silentLogger,
    clock,
    emailVerification: { required: false },
    http: { cookies },
    password: {
      hasher: await createPasswordHasher({
        backend: 'inline',
        params: { memoryKiB: 1024, iterations: 1 },
      }),
    },
  });
  const handler = createHttpHandler(auth);
  const call = (method: string, path: string, body?: unknown, headers = {}) =>
    handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  await call('POST', '/register', { email: 'ada@example.com', password: PASSWORD });
  const user = await auth.storage.users.getByEmail('ada@example.com');
  const userId = user?.id ?? '';
  const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
  const nextCode = () => totpCode(secret, DEFAULT_TOTP_PARAMS, clock.advance(STEP_MS));
  await auth.twoFactor.totp.confirm({ userId, code: await nextCode() });
  /** Signs in with the password and a TOTP code; resolves to the verify answer. */
  const signIn = async (rememberDevice?: boolean) => {
    const login = await call('POST', '/login', {
      identifier: 'ada@example.com',
      password: PASSWORD,
    });
    const { challenge } = (await login.json()) as { challenge: string };
    // The challenge is bound to this browser: its HttpOnly cookie goes with the code.
    const binding = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] as string)
      .find((c) => c.split('=')[0]?.endsWith('portcullis.challenge'));
    const code = await nextCode();
    return call(
      'POST',
      '/2fa/verify',
      { challenge, method: 'totp', code, rememberDevice },
      binding === undefined ? {} : { cookie: binding },
    );
  };
  return { call, clock, nextCode, signIn };
}

const setCookie = (res: Response, prefix: string) =>
  res.headers.getSetCookie().find((c) => c.startsWith(prefix)) ?? '';

/** Cookie and CSRF headers of a cookie-strategy sign-in answer. */
function cookieAuth(res: Response): Record<string, string> {
  const pair = (name: string) => setCookie(res, name).split(';')[0] ?? '';
  const session = pair('__Host-portcullis.session=');
  const csrf = pair('__Host-portcullis.csrf=');
  return { cookie: `${session}; ${csrf}`, 'x-csrf-token': csrf.split('=')[1] ?? '' };
}

describe('second-factor routes over the handler', () => {
  it('names the device cookie like the others: no prefix or Secure in insecureDevMode', async () => {
    const { signIn } = await twoFactorUser({ insecureDevMode: true });
    const device = setCookie(await signIn(true), 'portcullis.device=');
    expect(device).toMatch(/; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    expect(device).not.toMatch(/Secure/);
  });

  it('falls back to __Secure- with a cookie domain', async () => {
    const { signIn } = await twoFactorUser({ domain: 'example.com' });
    const device = setCookie(await signIn(true), '__Secure-portcullis.device=');
    expect(device).toMatch(/; Domain=example\.com; Secure; HttpOnly; SameSite=Lax$/);
  });

  it('a stale session of a 2FA user ends another session with password and code in the body', async () => {
    const { call, clock, nextCode, signIn } = await twoFactorUser();
    const mine = cookieAuth(await signIn());
    const other = (await (await signIn()).json()) as { session: { id: string } };
    clock.advance(11 * 60_000);
    const path = `/sessions/${other.session.id}`;
    const passwordOnly = await call('DELETE', path, { password: PASSWORD }, mine);
    expect(((await passwordOnly.json()) as { error: { code: string } }).error.code).toBe(
      'REAUTH_REQUIRED',
    );
    const proof = { password: PASSWORD, code: await nextCode(), method: 'totp' };
    expect((await call('DELETE', path, proof, mine)).status).toBe(204);
  });

  it('a stale session of a 2FA user needs a code besides the password for every sensitive change', async () => {
    const { call, clock, nextCode, signIn } = await twoFactorUser();
    const mine = cookieAuth(await signIn());
    clock.advance(11 * 60_000);
    const routes: [string, string, Record<string, unknown>][] = [
      ['POST', '/user/email', { newEmail: 'new@example.com', password: PASSWORD }],
      [
        'POST',
        '/password/change',
        { currentPassword: PASSWORD, newPassword: 'another violet tangerine' },
      ],
      ['POST', '/2fa/recovery-codes', { password: PASSWORD }],
      ['POST', '/2fa/phone', { phone: '+14155550100', password: PASSWORD }],
      ['DELETE', '/user', { password: PASSWORD }],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(method, path, body, mine);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe(
        'REAUTH_REQUIRED',
      );
    }
    // With a code too, the change goes through.
    const regenerated = await call(
      'POST',
      '/2fa/recovery-codes',
      { password: PASSWORD, code: await nextCode(), method: 'totp' },
      mine,
    );
    expect(regenerated.status).toBe(200);
    // The code authorized that request only: the next change needs one again.
    const again = await call(
      'POST',
      '/user/email',
      { newEmail: 'new@example.com', password: PASSWORD },
      mine,
    );
    expect(again.status).toBe(403);
    const email = await call(
      'POST',
      '/user/email',
      { newEmail: 'new@example.com', password: PASSWORD, code: await nextCode(), method: 'totp' },
      mine,
    );
    expect(email.status).toBe(202);
  });

  it('a 2FA user on a fresh session has each wrong password counted once, not twice', async () => {
    const { call, signIn } = await twoFactorUser();
    const mine = cookieAuth(await signIn());
    // Four wrong passwords (the lockout is at five): each must count once, so sign-in stays open.
    for (let i = 0; i < 4; i++) {
      const res = await call(
        'POST',
        '/user/email',
        { newEmail: 'new@example.com', password: 'not the password at all' },
        mine,
      );
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'PASSWORD_INCORRECT',
      );
    }
    const login = await call('POST', '/login', {
      identifier: 'ada@example.com',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
  });

  it('answers unknown /2fa paths with 404 and other methods with 405 and Allow', async () => {
    const { call } = await twoFactorUser();
    expect((await call('POST', '/2fa/nothing', {})).status).toBe(404);
    const res = await call('GET', '/2fa/verify');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await call('PUT', '/2fa/devices/abc', {})).status).toBe(405);
  });
});
