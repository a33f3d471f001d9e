/**
 * Issue 16, "Storage faults lose nothing and sign no one out": users, 2FA data and audit in
 * PostgreSQL, sessions, tokens and rate limits in Redis, one Auth per session strategy behind
 * `createHttpHandler`, and servers the test may break: PostgreSQL through a TCP proxy of its
 * own (blackholed), Redis as a throwaway `redis-server` (saved, then killed and restarted).
 * The shared servers are never stopped.
 *
 * Each flow is first run without a fault to record its store calls; then, for every fault
 * point (each server down before the request, before each store call, and for the sign-in and
 * refresh flows after each write, with the reply lost), the request is sent, the servers are
 * restored, and five invariants are checked (faults/harness.ts, `runFault`):
 * 1. the answer is the success or a clean `503 STORAGE_UNAVAILABLE`, and a 5xx clears no
 *    session, refresh or device cookie;
 * 2. the same request sent again succeeds (or, after a success, the new credential works), with
 *    no refresh token burnt and no session revoked;
 * 3. no session exists that the client does not hold;
 * 4. no rate-limit counter moved for a 5xx answer;
 * 5. each 5xx answer is logged once, naming the failed store and operation.
 *
 * `FAULTS_REPORT=<file>` writes the flow × fault point table there (markdown).
 */
import { writeFile } from 'node:fs/promises';
import { settleCompensations } from '@portcullis/core/testing';
import { DEFAULT_TOTP_PARAMS, totpCode } from '@portcullis/core/two-factor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP,
  cookiePair,
  createWorld,
  type Flow,
  PASSWORD,
  type Row,
  runFlow,
  type World,
} from './faults/harness.js';
import type { FaultPoint } from './faults/injector.js';

const NEW_PASSWORD = 'another violet tangerine orbit';
let world: World;
const rows: Row[] = [];

beforeAll(async () => {
  world = await createWorld();
});

afterAll(async () => {
  await world?.close();
  const file = process.env.FAULTS_REPORT;
  if (file !== undefined && file !== '') {
    const lines = ['| flow | fault point | first answer | result |', '| --- | --- | --- | --- |'];
    for (const r of rows) {
      lines.push(
        `| ${r.flow} | ${r.fault} | ${r.answer} | ${r.violations.length === 0 ? 'pass' : r.violations.join('; ')} |`,
      );
    }
    await writeFile(file, `${lines.join('\n')}\n`);
  }
});

// ---------------------------------------------------------------------------------------------
// Requests

type Strategy = 'cookie' | 'jwt';

function call(
  strategy: Strategy,
  ip: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const request = new Request(`${APP}/api/auth${path}`, {
    method,
    headers: {
      origin: APP,
      'user-agent': 'vitest (faults)',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return world[strategy].handler(request, { remoteAddress: ip });
}

const address = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}@example.com`;

/** A registered user (no email verification needed in this file). */
async function newUser(strategy: Strategy, ip: string, what: string) {
  const email = address(what);
  await world[strategy].auth.register({ email, password: PASSWORD }, { ip });
  const user = await world.direct.users.getByEmail(email);
  if (user === undefined) throw new Error(`no user ${email}`);
  return { email, userId: user.id };
}

/** A cookie session: the Cookie and x-csrf-token headers, and its id. */
interface CookieSession {
  readonly headers: Record<string, string>;
  readonly sessionId: string;
}

async function signInCookie(
  ip: string,
  email: string,
  password = PASSWORD,
): Promise<CookieSession> {
  const res = await call('cookie', ip, 'POST', '/login', { body: { identifier: email, password } });
  return cookieSessionOf(res);
}

async function cookieSessionOf(res: Response): Promise<CookieSession> {
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const session = cookiePair(res, 'session');
  const csrf = cookiePair(res, 'csrf');
  const body = (await res.clone().json()) as { session: { id: string } };
  if (session === undefined || csrf === undefined) throw new Error('no session or csrf cookie');
  return {
    headers: { cookie: `${session}; ${csrf}`, 'x-csrf-token': csrf.split('=')[1] ?? '' },
    sessionId: body.session.id,
  };
}

/** The `sid` of an access token. */
function sidOf(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? '';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string };
  return claims.sid;
}

/** A jwt sign-in: the refresh cookie, the access token and the session id. */
async function jwtTokensOf(res: Response) {
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const { accessToken } = (await res.clone().json()) as { accessToken: string };
  const refresh = cookiePair(res, 'refresh');
  if (refresh === undefined) throw new Error('no refresh cookie');
  return { accessToken, refresh, sessionId: sidOf(accessToken) };
}

async function signInJwt(ip: string, email: string) {
  const res = await call('jwt', ip, 'POST', '/login', {
    body: { identifier: email, password: PASSWORD },
  });
  return jwtTokensOf(res);
}

/** GET /session with these headers: the status. */
async function sessionStatus(strategy: Strategy, ip: string, headers: Record<string, string>) {
  return (await call(strategy, ip, 'GET', '/session', { headers })).status;
}

const problem = (ok: boolean, text: string): string[] => (ok ? [] : [text]);

// ---------------------------------------------------------------------------------------------
// Flows

interface SignIn {
  readonly ip: string;
  readonly email: string;
  readonly userId: string;
}

const signInPassword = (strategy: Strategy): Flow<SignIn> => ({
  name: `sign-in, password (${strategy})`,
  afterWrites: true,
  logged: true,
  success: 200,
  prepare: async (_w, ip) => ({ ip, ...(await newUser(strategy, ip, `signin-${strategy}`)) }),
  send: (_w, s) =>
    call(strategy, s.ip, 'POST', '/login', { body: { identifier: s.email, password: PASSWORD } }),
  verify: async (_w, s, answer) => {
    if (strategy === 'cookie') {
      const { headers } = await cookieSessionOf(answer);
      return problem(
        (await sessionStatus('cookie', s.ip, headers)) === 200,
        'I2: the new session cookie does not open GET /session',
      );
    }
    const { accessToken } = await jwtTokensOf(answer);
    return problem(
      (await sessionStatus('jwt', s.ip, { authorization: `Bearer ${accessToken}` })) === 200,
      'I2: the new access token does not open GET /session',
    );
  },
  held: async (_w, _s, answer) =>
    strategy === 'cookie'
      ? [(await cookieSessionOf(answer)).sessionId]
      : [(await jwtTokensOf(answer)).sessionId],
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
});

interface TwoFactorSignIn extends SignIn {
  readonly body: Record<string, unknown>;
  readonly challengeCookie: string;
}

const signInTotp: Flow<TwoFactorSignIn> = {
  name: 'sign-in, password + TOTP via /2fa/verify (cookie)',
  afterWrites: true,
  logged: true,
  success: 200,
  async prepare(w, ip) {
    const user = await newUser('cookie', ip, 'totp');
    const { auth } = w.cookie;
    const { secret } = await auth.twoFactor.totp.enroll({
      userId: user.userId,
      password: PASSWORD,
    });
    // A code of its own step for each use: codes are single-use.
    const code = () => totpCode(secret, DEFAULT_TOTP_PARAMS, w.clock.advance(31_000));
    await auth.twoFactor.totp.confirm({ userId: user.userId, code: await code() });
    const login = await call('cookie', ip, 'POST', '/login', {
      body: { identifier: user.email, password: PASSWORD },
    });
    const { challenge } = (await login.json()) as { challenge?: string };
    const challengeCookie = cookiePair(login, 'challenge');
    if (challenge === undefined || challengeCookie === undefined) {
      throw new Error(`no challenge (${login.status})`);
    }
    return {
      ip,
      ...user,
      body: { challenge, method: 'totp', code: await code() },
      challengeCookie,
    };
  },
  send: (_w, s) =>
    call('cookie', s.ip, 'POST', '/2fa/verify', {
      body: s.body,
      headers: { cookie: s.challengeCookie },
    }),
  verify: async (_w, s, answer) => {
    const { headers } = await cookieSessionOf(answer);
    return problem(
      (await sessionStatus('cookie', s.ip, headers)) === 200,
      'I2: the new session cookie does not open GET /session',
    );
  },
  held: async (_w, _s, answer) => [(await cookieSessionOf(answer)).sessionId],
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

interface Refreshing extends SignIn {
  readonly refresh: string;
  readonly sessionId: string;
}

/** POST /token/refresh with a refresh cookie. */
const refreshWith = (ip: string, refresh: string) =>
  call('jwt', ip, 'POST', '/token/refresh', { headers: { cookie: refresh } });

const refreshFlow: Flow<Refreshing> = {
  name: 'refresh (jwt, refresh cookie)',
  afterWrites: true,
  logged: true,
  success: 200,
  async prepare(w, ip) {
    const user = await newUser('jwt', ip, 'refresh');
    const tokens = await signInJwt(ip, user.email);
    // Past the touch interval: the refresh also slides the idle expiry (one more write).
    w.clock.advance(61_000);
    return { ip, ...user, refresh: tokens.refresh, sessionId: tokens.sessionId };
  },
  send: (_w, s) => refreshWith(s.ip, s.refresh),
  verify: async (_w, s, answer) => {
    const next = cookiePair(answer, 'refresh');
    if (next === undefined) return ['I2: the refresh answer has no new refresh cookie'];
    const again = await refreshWith(s.ip, next);
    return problem(again.status === 200, `I2: the new refresh cookie answered ${again.status}`);
  },
  held: (_w, s) => [s.sessionId],
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

interface Holding extends SignIn {
  readonly headers: Record<string, string>;
  readonly sessionId: string;
}

const sessionCheckCookie: Flow<Holding> = {
  name: 'session check, GET /session (cookie)',
  afterWrites: false,
  logged: true,
  success: 200,
  async prepare(w, ip) {
    const user = await newUser('cookie', ip, 'check');
    const session = await signInCookie(ip, user.email);
    w.clock.advance(61_000); // past the touch interval: a touch write too
    return { ip, ...user, ...session };
  },
  send: (_w, s) => call('cookie', s.ip, 'GET', '/session', { headers: s.headers }),
  verify: async (_w, s) =>
    problem(
      (await sessionStatus('cookie', s.ip, s.headers)) === 200,
      'I2: the session cookie no longer opens GET /session',
    ),
  held: (_w, s) => [s.sessionId],
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

async function prepareBearer(w: World, ip: string): Promise<Holding> {
  const user = await newUser('jwt', ip, 'bearer');
  const tokens = await signInJwt(ip, user.email);
  w.clock.advance(61_000);
  return {
    ip,
    ...user,
    headers: { authorization: `Bearer ${tokens.accessToken}` },
    sessionId: tokens.sessionId,
  };
}

const sessionCheckBearer: Flow<Holding> = {
  name: 'session check, GET /session (Bearer)',
  afterWrites: false,
  logged: true,
  success: 200,
  prepare: prepareBearer,
  send: (_w, s) => call('jwt', s.ip, 'GET', '/session', { headers: s.headers }),
  verify: async (_w, s) =>
    problem(
      (await sessionStatus('jwt', s.ip, s.headers)) === 200,
      'I2: the access token no longer opens GET /session',
    ),
  held: (_w, s) => [s.sessionId],
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

/** `handler.authenticate` (for `requireAuth` middlewares): its outcome as a Response. */
const authenticateBearer: Flow<Holding> = {
  ...sessionCheckBearer,
  name: "Bearer via the handler's authenticate()",
  // authenticate() throws to the application's middleware, which logs; nothing to count here.
  logged: false,
  send: async (w, s) => {
    const request = new Request(`${APP}/api/app`, { headers: s.headers });
    try {
      // The claims alone need no store: the session read (what a route that asks for it does)
      // is what meets the fault.
      const found = await w.jwt.handler.authenticate(request);
      const session = await found.session();
      return new Response(JSON.stringify({ sessionId: session.id }), { status: 200 });
    } catch (error) {
      const status = Reflect.get(Object(error), 'status');
      const json: unknown = Reflect.get(Object(error), 'toJSON')?.call(error);
      if (typeof status !== 'number' || json === undefined) {
        return new Response(`thrown: ${String(error)}`, { status: 599 });
      }
      return new Response(JSON.stringify(json), { status });
    }
  },
};

const resetRequest: Flow<SignIn & { mailsBefore: number }> = {
  name: 'password reset request',
  afterWrites: false,
  logged: true,
  success: 202,
  async prepare(_w, ip) {
    const user = await newUser('cookie', ip, 'reset-request');
    return { ip, ...user, mailsBefore: 0 };
  },
  send: (_w, s) => call('cookie', s.ip, 'POST', '/password/reset', { body: { email: s.email } }),
  verify: async (w, s) => {
    const mail = w.mailer.find(s.email, 'password-reset');
    const token = mail === undefined ? undefined : w.mailer.extractToken(mail);
    if (token === undefined) return ['I2: answered 202 but no reset mail was sent'];
    const res = await call('cookie', s.ip, 'POST', '/password/reset/confirm', {
      body: { token, newPassword: NEW_PASSWORD },
    });
    return problem(res.status === 200, `I2: the mailed reset link answered ${res.status}`);
  },
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

interface Confirming extends SignIn {
  readonly token: string;
}

const resetConfirm: Flow<Confirming> = {
  name: 'password reset confirm',
  afterWrites: false,
  logged: true,
  success: 200,
  async prepare(w, ip) {
    const user = await newUser('cookie', ip, 'reset-confirm');
    await w.cookie.auth.passwords.requestReset(user.email, { ip });
    const mail = await w.mailer.waitFor(user.email, 'password-reset');
    const token = w.mailer.extractToken(mail);
    if (token === undefined) throw new Error('no reset token');
    return { ip, ...user, token };
  },
  send: (_w, s) =>
    call('cookie', s.ip, 'POST', '/password/reset/confirm', {
      body: { token: s.token, newPassword: NEW_PASSWORD },
    }),
  verify: async (_w, s) => {
    const res = await call('cookie', s.ip, 'POST', '/login', {
      body: { identifier: s.email, password: NEW_PASSWORD },
    });
    return problem(res.status === 200, `I2: the new password answered ${res.status}`);
  },
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

interface ChangingEmail extends Holding {
  readonly newEmail: string;
}

const emailChangeRequest: Flow<ChangingEmail> = {
  name: 'email change request',
  afterWrites: false,
  logged: true,
  success: 202,
  async prepare(_w, ip) {
    const user = await newUser('cookie', ip, 'change-request');
    const session = await signInCookie(ip, user.email);
    return { ip, ...user, ...session, newEmail: address('changed') };
  },
  send: (_w, s) =>
    call('cookie', s.ip, 'POST', '/user/email', {
      body: { newEmail: s.newEmail, password: PASSWORD },
      headers: s.headers,
    }),
  verify: async (w, s) => {
    const mail = w.mailer.find(s.newEmail, 'email-change-confirm');
    const token = mail === undefined ? undefined : w.mailer.extractToken(mail);
    const problems = problem(token !== undefined, 'I2: answered 202 but no confirmation mail');
    if (token !== undefined) {
      const res = await call('cookie', s.ip, 'POST', '/user/email/confirm', { body: { token } });
      problems.push(...problem(res.status === 200, `I2: the mailed link answered ${res.status}`));
    }
    return problems;
  },
  held: (_w, s) => [s.sessionId],
  subjects: (s) => [s.email, s.newEmail, s.ip, s.userId],
  userId: (s) => s.userId,
};

const emailChangeConfirm: Flow<ChangingEmail & { token: string }> = {
  name: 'email change confirm',
  afterWrites: false,
  logged: true,
  success: 200,
  async prepare(w, ip) {
    const s = await emailChangeRequest.prepare(w, ip);
    const res = await emailChangeRequest.send(w, s);
    if (res.status !== 202) throw new Error(`email change request answered ${res.status}`);
    const mail = await w.mailer.waitFor(s.newEmail, 'email-change-confirm');
    const token = w.mailer.extractToken(mail);
    if (token === undefined) throw new Error('no email change token');
    return { ...s, token };
  },
  send: (_w, s) =>
    call('cookie', s.ip, 'POST', '/user/email/confirm', { body: { token: s.token } }),
  verify: async (w, s) => {
    const user = await w.direct.users.getById(s.userId);
    return problem(user?.email === s.newEmail, 'I2: the address did not change');
  },
  subjects: (s) => [s.email, s.newEmail, s.ip, s.userId],
  userId: (s) => s.userId,
};

const logout: Flow<Holding> = {
  name: 'logout (cookie)',
  afterWrites: false,
  logged: true,
  success: 204,
  async prepare(_w, ip) {
    const user = await newUser('cookie', ip, 'logout');
    return { ip, ...user, ...(await signInCookie(ip, user.email)) };
  },
  send: (_w, s) => call('cookie', s.ip, 'POST', '/logout', { headers: s.headers }),
  verify: async (w, s) => {
    const live = await w.direct.sessions.get(s.sessionId, w.clock.now());
    return problem(live === undefined, 'I2: the session outlived its logout');
  },
  held: () => [],
  subjects: (s) => [s.email, s.ip, s.userId],
  userId: (s) => s.userId,
};

// ---------------------------------------------------------------------------------------------

const FLOWS: Flow<never>[] = [
  signInPassword('cookie'),
  signInPassword('jwt'),
  signInTotp,
  refreshFlow,
  sessionCheckCookie,
  sessionCheckBearer,
  authenticateBearer,
  resetRequest,
  resetConfirm,
  emailChangeRequest,
  emailChangeConfirm,
  logout,
] as unknown as Flow<never>[];

describe('storage faults at every store step lose nothing and sign no one out', () => {
  it.each(FLOWS.map((flow) => [flow.name, flow] as const))(
    '%s',
    async (_name, flow) => {
      const found = await runFlow(world, flow);
      rows.push(...found);
      const broken = found
        .filter((r) => r.violations.length > 0)
        .map((r) => `${r.fault} → ${r.answer}: ${r.violations.join('; ')}`);
      // Lost replies included (the write applied, its reply lost): a retried refresh gets the
      // token its lost answer carried, counters take back the named hit, a put-back challenge
      // remembers the code use its lost commit may have written.
      expect(broken).toEqual([]);
    },
    60_000,
  );
});

describe('sign-ins answered 5xx count for no lockout (loginPerAccount: 5 failures lock)', () => {
  it.each<[string, FaultPoint]>([
    [
      'PostgreSQL down at the users read',
      { store: 'users', method: 'getByEmail', nth: 1, when: 'before' },
    ],
    [
      'Redis down at the session write',
      { store: 'sessions', method: 'create', nth: 1, when: 'before' },
    ],
  ])('after 6 sign-ins answered 503 (%s), the right password signs in', async (_name, point) => {
    const ip = `10.99.0.${point.nth + point.method.length}`;
    const { email, userId } = await newUser('cookie', ip, 'lockout');
    const answers: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      world.injector.arm(point);
      const res = await call('cookie', ip, 'POST', '/login', {
        body: { identifier: email, password: PASSWORD },
      });
      answers.push(res.status);
      await world.restore();
      await settleCompensations();
    }
    expect(answers).toEqual([503, 503, 503, 503, 503, 503]);
    const res = await call('cookie', ip, 'POST', '/login', {
      body: { identifier: email, password: PASSWORD },
    });
    expect(await res.json()).toMatchObject({ status: 'signed_in' });
    expect(await world.cookie.auth.sessions.list(userId)).toHaveLength(1);
  });
});
