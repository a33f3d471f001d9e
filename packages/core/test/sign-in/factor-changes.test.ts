/**
 * "Factor changes need a factor" (issue 14), attacked through the typed API and through HTTP
 * with one table: for every sensitive operation and every kind of session (stale, fresh from a
 * trusted-device sign-in, second-factor fresh), both doors give the same answer, and the
 * answers are the ones the rule says.
 */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import {
  type Auth,
  createAuth,
  memoryMailer,
  memorySmsSender,
  memoryStorage,
  silentLogger,
} from '../../src/index.js';
import { fakeClock } from '../../src/testing/index.js';
import { DEFAULT_TOTP_PARAMS, totpCode } from '../../src/two-factor/index.js';
import { cheapHasher } from '../flows/helpers.js';

const ORIGIN = 'https://app.example.com';
const ADA = 'ada@example.com';
const PASSWORD = 'violet tangerine orbit';
const STEP = 30_000;
const MINUTE = 60_000;
const DEVICE = '__Host-portcullis.device';

type State = 'stale' | 'trusted device' | 'second factor fresh';

/**
 * One user with TOTP on, a trusted device, and a session in `state`; a handler in front of the
 * same Auth (jwt strategy, Bearer: no CSRF in the way).
 */
async function scenario(state: State) {
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const sms = memorySmsSender();
  const mailer = memoryMailer({ appUrl: ORIGIN });
  const auth = createAuth({
    storage: memoryStorage(),
    mailer,
    sms,
    appUrl: ORIGIN,
    secret: 'factor-tests-secret-0123456789abcdef',
    clock,
    logger: silentLogger,
    emailVerification: { required: false },
    session: { strategy: 'jwt' },
    http: { refreshTokenTransport: 'body' },
    password: { hasher: await cheapHasher() },
  });
  const handler = createHttpHandler(auth);
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { res, json };
  };
  await auth.register({ email: ADA, password: PASSWORD });
  const userId = (await auth.storage.users.getByEmail(ADA))?.id ?? '';
  const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
  const nextCode = () => totpCode(secret, DEFAULT_TOTP_PARAMS, clock.advance(STEP));
  const { recoveryCodes } = await auth.twoFactor.totp.confirm({ userId, code: await nextCode() });

  /** Password + TOTP sign-in over HTTP (with "remember this device" when asked). */
  const withCode = async (remember = false) => {
    const login = await call('POST', '/login', { identifier: ADA, password: PASSWORD });
    const { challenge } = login.json as { challenge: string };
    // The challenge is bound to this client (it sends Origin): its cookie goes with the code.
    const binding = login.res.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-portcullis.challenge='))
      ?.split(';')[0];
    return call(
      'POST',
      '/2fa/verify',
      { challenge, method: 'totp', code: await nextCode(), rememberDevice: remember },
      binding === undefined ? {} : { cookie: binding },
    );
  };
  const first = await withCode(true);
  const device =
    first.res.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${DEVICE}=`))
      ?.split(';')[0] ?? '';
  const other = auth.verifyAccessToken(first.json.accessToken as string);
  let signedIn: Awaited<ReturnType<typeof call>>;
  if (state === 'trusted device') {
    clock.advance(11 * MINUTE);
    signedIn = await call(
      'POST',
      '/login',
      { identifier: ADA, password: PASSWORD },
      { cookie: device },
    );
  } else {
    signedIn = await withCode();
    if (state === 'stale') clock.advance(11 * MINUTE);
  }
  const accessToken = signedIn.json.accessToken as string;
  const { sid: sessionId } = await auth.verifyAccessToken(accessToken);
  return {
    auth,
    call,
    clock,
    sms,
    userId,
    sessionId,
    otherId: (await other).sid,
    bearer: { authorization: `Bearer ${accessToken}` },
    nextCode,
    recoveryCodes,
  };
}

type Scenario = Awaited<ReturnType<typeof scenario>>;

interface Operation {
  /** The route, and the body without proof of a second factor. */
  readonly http: (s: Scenario) => [method: string, path: string, body: Record<string, unknown>];
  /** The same through the typed API, with the same proof. */
  readonly typed: (s: Scenario, proof: { code?: string; method?: 'totp' }) => Promise<unknown>;
  /** Factor changes need a factor; ending sessions needs a fresh session. */
  readonly rule: 'factor' | 'fresh';
}

const NEW_PASSWORD = 'copper lantern meadow';

const operations: Record<string, Operation> = {
  'regenerate recovery codes': {
    rule: 'factor',
    http: () => ['POST', '/2fa/recovery-codes', { password: PASSWORD }],
    typed: (s, proof) =>
      s.auth.twoFactor.recoveryCodes.regenerate({
        userId: s.userId,
        password: PASSWORD,
        sessionId: s.sessionId,
        ...proof,
      }),
  },
  'add a phone': {
    rule: 'factor',
    http: () => ['POST', '/2fa/phone', { phone: '+14155550123', password: PASSWORD }],
    typed: (s, proof) =>
      s.auth.twoFactor.phone.start({
        userId: s.userId,
        phone: '+14155550123',
        password: PASSWORD,
        sessionId: s.sessionId,
        ...proof,
      }),
  },
  'change the email': {
    rule: 'factor',
    http: () => ['POST', '/user/email', { newEmail: 'mine@evil.example', password: PASSWORD }],
    typed: (s, proof) =>
      s.auth.users.requestEmailChange({
        userId: s.userId,
        newEmail: 'mine@evil.example',
        password: PASSWORD,
        sessionId: s.sessionId,
        ...proof,
      }),
  },
  'change the password': {
    rule: 'factor',
    http: () => [
      'POST',
      '/password/change',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    ],
    typed: (s, proof) =>
      s.auth.passwords.change({
        userId: s.userId,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        sessionId: s.sessionId,
        ...proof,
      }),
  },
  'delete the account': {
    rule: 'factor',
    http: () => ['DELETE', '/user', { password: PASSWORD }],
    typed: (s, proof) =>
      s.auth.users.delete({
        userId: s.userId,
        password: PASSWORD,
        sessionId: s.sessionId,
        ...proof,
      }),
  },
  'sign out everywhere': {
    rule: 'fresh',
    http: () => ['POST', '/logout/all', {}],
    typed: (s, proof) =>
      s.auth.sessions.revokeAll(s.userId, {
        sessionId: s.sessionId,
        ...(proof.code === undefined ? {} : { password: PASSWORD, ...proof }),
      }),
  },
  'end another session': {
    rule: 'fresh',
    http: (s) => ['DELETE', `/sessions/${s.otherId}`, {}],
    typed: (s, proof) =>
      s.auth.sessions.revoke(s.userId, s.otherId, {
        sessionId: s.sessionId,
        ...(proof.code === undefined ? {} : { password: PASSWORD, ...proof }),
      }),
  },
};

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );

async function viaHttp(op: Operation, s: Scenario, proof: { code?: string; method?: 'totp' }) {
  const [method, path, body] = op.http(s);
  const extra =
    proof.code === undefined ? {} : op.rule === 'fresh' ? { password: PASSWORD, ...proof } : proof;
  const { res, json } = await s.call(method, path, { ...body, ...extra }, s.bearer);
  return res.status < 300
    ? 'ok'
    : ((json.error as { code?: string } | undefined)?.code ?? String(res.status));
}

/** What the rules say. */
function expected(op: Operation, state: State, withCode: boolean): string {
  if (withCode) return 'ok';
  if (op.rule === 'factor') return state === 'second factor fresh' ? 'ok' : 'REAUTH_REQUIRED';
  return state === 'stale' ? 'REAUTH_REQUIRED' : 'ok';
}

describe('sensitive operations: the typed API and HTTP give the same answer', () => {
  for (const [name, op] of Object.entries(operations)) {
    for (const state of ['stale', 'trusted device', 'second factor fresh'] as const) {
      for (const withCode of [false, true]) {
        const label = `${name}, ${state} session, ${withCode ? 'with' : 'without'} a code`;
        it(`${label}: ${expected(op, state, withCode)}`, async () => {
          const typed = await scenario(state);
          const http = await scenario(state);
          const proof = async (s: Scenario) =>
            withCode ? { code: await s.nextCode(), method: 'totp' as const } : {};
          const a = await outcome(op.typed(typed, await proof(typed)));
          const b = await viaHttp(op, http, await proof(http));
          expect({ typed: a, http: b }).toEqual({
            typed: expected(op, state, withCode),
            http: expected(op, state, withCode),
          });
        });
      }
    }
  }
});

describe('the swap: a trusted-device sign-in cannot replace the second factor', () => {
  it('device cookie + password: no recovery codes, no phone, no new address, no 2FA off, no new password', async () => {
    const s = await scenario('trusted device');
    const attempts: [string, string, Record<string, unknown>][] = [
      ['POST', '/2fa/recovery-codes', { password: PASSWORD }],
      ['POST', '/2fa/phone', { phone: '+14155550123', password: PASSWORD }],
      ['POST', '/user/email', { newEmail: 'mine@evil.example', password: PASSWORD }],
      ['POST', '/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }],
      ['DELETE', '/user', { password: PASSWORD }],
    ];
    for (const [method, path, body] of attempts) {
      const { res, json } = await s.call(method, path, body, s.bearer);
      expect([path, res.status, (json.error as { code: string }).code]).toEqual([
        path,
        403,
        'REAUTH_REQUIRED',
      ]);
    }
    // 2FA off needs a code in every case: without one the body is incomplete.
    const off = await s.call('POST', '/2fa/disable', { password: PASSWORD }, s.bearer);
    expect(off.res.status).toBe(400);
    // Nothing changed: still TOTP, the same recovery codes, no phone, the same address.
    const status = await s.auth.twoFactor.status(s.userId);
    expect(status).toMatchObject({ enabled: true, phone: null, recoveryCodesLeft: 10 });
    expect(s.sms.messages).toEqual([]);
    expect((await s.auth.users.get(s.userId)).email).toBe(ADA);
  });

  it('with a code in the same request each goes through; /reauthenticate with a code makes a new, second-factor-fresh session for 10 minutes', async () => {
    const s = await scenario('trusted device');
    const regenerated = await s.call(
      'POST',
      '/2fa/recovery-codes',
      { password: PASSWORD, code: await s.nextCode(), method: 'totp' },
      s.bearer,
    );
    expect(regenerated.res.status).toBe(200);
    // That code authorized that request only.
    const refused = await s.call(
      'POST',
      '/2fa/phone',
      { phone: '+14155550123', password: PASSWORD },
      s.bearer,
    );
    expect((refused.json.error as { code: string }).code).toBe('REAUTH_REQUIRED');
    // A step-up: a new session (new tokens), the old access token is dead at once.
    const reauth = await s.call(
      'POST',
      '/reauthenticate',
      { password: PASSWORD, code: await s.nextCode(), method: 'totp' },
      s.bearer,
    );
    expect(reauth.res.status).toBe(200);
    const stepped = { authorization: `Bearer ${reauth.json.accessToken as string}` };
    // The new session rests on the password and the code, not on the device any more.
    const { sid } = await s.auth.verifyAccessToken(reauth.json.accessToken as string);
    const listed = await s.auth.sessions.list(s.userId);
    expect(listed.find((x) => x.id === sid)?.amr).toEqual(['pwd', 'otp']);
    expect((await s.call('GET', '/session', undefined, s.bearer)).res.status).toBe(401);
    s.clock.advance(9 * MINUTE);
    const phone = await s.call(
      'POST',
      '/2fa/phone',
      { phone: '+14155550123', password: PASSWORD },
      stepped,
    );
    expect(phone.res.status).toBe(202);
    // Ten minutes after the code: a code again.
    s.clock.advance(MINUTE + 1);
    const email = await s.call(
      'POST',
      '/user/email',
      { newEmail: 'new@example.com', password: PASSWORD },
      stepped,
    );
    expect((email.json.error as { code: string }).code).toBe('REAUTH_REQUIRED');
  });

  it('a recovery code in the same request counts as the second factor too', async () => {
    const s = await scenario('trusted device');
    const res = await s.call(
      'POST',
      '/user/email',
      {
        newEmail: 'new@example.com',
        password: PASSWORD,
        code: s.recoveryCodes[0],
        method: 'recovery',
      },
      s.bearer,
    );
    expect(res.res.status).toBe(202);
  });

  it('the typed API refuses a 2FA user’s account deletion with the password alone (no session, no code)', async () => {
    const s = await scenario('second factor fresh');
    const auth: Auth = s.auth;
    expect(await outcome(auth.users.delete({ userId: s.userId, password: PASSWORD }))).toBe(
      'REAUTH_REQUIRED',
    );
    expect(await auth.users.get(s.userId)).toMatchObject({ email: ADA });
  });
});
