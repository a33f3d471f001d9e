/**
 * Issue 15, OWASP ASVS 16.3.1–16.3.3: every refusal an operator may alert on leaves an event
 * and a `warn` log line, without secrets.
 */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import { attempt, WRONG, wrongTimes } from '../abuse/helpers.js';
import { CTX, fail, PASSWORD, setup } from '../flows/helpers.js';
import { setup2fa } from '../two-factor/helpers.js';
import { codeOf, ofType, verifiedUser } from './helpers.js';

/** A signed-in user of `setup()`: their id and a session that is no longer fresh. */
async function signedIn(s: Awaited<ReturnType<typeof setup>>, email: string) {
  const userId = await verifiedUser(s, email);
  const result = await s.auth.login({ identifier: email, password: PASSWORD }, CTX);
  if (result.status !== 'signed_in') fail('expected a session');
  return { userId, sessionId: result.session.id };
}

describe('reauth.failed: a wrong password at a re-check', () => {
  it('reauthenticate with a wrong password emits reauth.failed (password_incorrect), no secret', async () => {
    const s = await setup();
    const { userId, sessionId } = await signedIn(s, 'ada@example.com');
    const code = await codeOf(s.auth.reauthenticate({ userId, sessionId, password: WRONG }, CTX));
    expect(code).toBe('PASSWORD_INCORRECT');
    const [event, ...rest] = ofType(s.events, 'reauth.failed');
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      userId,
      ip: CTX.ip,
      data: { reason: 'password_incorrect' },
    });
    expect(JSON.stringify(s.events)).not.toContain(WRONG);
    expect(s.logs.filter((l) => l.startsWith('warn security event reauth.failed'))).toHaveLength(1);
    // It concerns a user: it is in their audit trail.
    expect((await s.auth.audit.list(userId)).map((e) => e.type)).toContain('reauth.failed');
  });

  it('a password change with a wrong current password emits reauth.failed', async () => {
    const s = await setup();
    const { userId, sessionId } = await signedIn(s, 'ada@example.com');
    const code = await codeOf(
      s.auth.passwords.change(
        { userId, sessionId, currentPassword: WRONG, newPassword: 'copper lantern meadow' },
        CTX,
      ),
    );
    expect(code).toBe('PASSWORD_INCORRECT');
    expect(ofType(s.events, 'reauth.failed')).toHaveLength(1);
  });

  it('a throttled re-check emits reauth.failed (rate_limited)', async () => {
    const s = await setup();
    const { userId, sessionId } = await signedIn(s, 'ada@example.com');
    await wrongTimes(s.auth, 'ada@example.com', 5);
    const code = await codeOf(
      s.auth.reauthenticate({ userId, sessionId, password: PASSWORD }, CTX),
    );
    expect(code).toBe('RATE_LIMITED');
    expect(ofType(s.events, 'reauth.failed')).toEqual([
      expect.objectContaining({ userId, data: { reason: 'rate_limited' } }),
    ]);
  });
});

describe('login.throttled: a sign-in refused by a throttle', () => {
  it('a locked identifier: rule loginPerAccount, without the identifier or a user id', async () => {
    const s = await setup();
    await verifiedUser(s, 'ada@example.com');
    await wrongTimes(s.auth, 'ada@example.com', 5);
    expect(ofType(s.events, 'login.throttled')).toEqual([]);
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
    });
    const [event, ...rest] = ofType(s.events, 'login.throttled');
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      ip: CTX.ip,
      data: { rule: 'loginPerAccount', retryAfterSeconds: 900 },
    });
    expect(event?.userId).toBeUndefined();
    // The identifier may be a password pasted into the wrong field: never in events or logs.
    const written = JSON.stringify(s.events) + s.logs.join('\n');
    expect(written).not.toContain('ada@example.com');
    expect(s.logs.filter((l) => l.startsWith('warn security event login.throttled'))).toHaveLength(
      1,
    );
  });

  it('an identifier that looks like a password stays out of the event and the log', async () => {
    const s = await setup();
    const pasted = 'Tr0ub4dor&3-correct-horse';
    await wrongTimes(s.auth, pasted, 6);
    expect(ofType(s.events, 'login.throttled')).toHaveLength(1);
    expect(JSON.stringify(s.events) + s.logs.join('\n')).not.toContain(pasted.toLowerCase());
  });

  it('a client over loginPerIp: rule loginPerIp', async () => {
    const s = await setup({ rateLimits: { loginPerIp: { limit: 2, windowSeconds: 60 } } });
    await wrongTimes(s.auth, 'a@example.com', 2);
    await attempt(s.auth, 'b@example.com', WRONG);
    expect(ofType(s.events, 'login.throttled')).toEqual([
      expect.objectContaining({ data: { rule: 'loginPerIp', retryAfterSeconds: 60 } }),
    ]);
  });
});

describe('foreign access: naming another user’s session or trusted device', () => {
  it('revoking another user’s session: NOT_FOUND, session.foreign_access, not in the audit trail', async () => {
    const s = await setup();
    const ada = await signedIn(s, 'ada@example.com');
    const bob = await signedIn(s, 'bob@example.com');
    const code = await codeOf(
      s.auth.sessions.revoke(bob.userId, ada.sessionId, { password: PASSWORD, context: CTX }),
    );
    expect(code).toBe('NOT_FOUND');
    expect(ofType(s.events, 'session.foreign_access')).toEqual([
      expect.objectContaining({
        userId: bob.userId,
        sessionId: ada.sessionId,
        ip: CTX.ip,
        data: { action: 'revoke' },
      }),
    ]);
    // Bob can read his audit trail: it must not tell him that the id exists.
    const trail = await s.auth.audit.list(bob.userId);
    expect(trail.map((e) => e.type)).not.toContain('session.foreign_access');
    expect(await s.auth.sessions.list(ada.userId)).toHaveLength(1);
  });

  it('an unknown session id is no foreign access', async () => {
    const s = await setup();
    const bob = await signedIn(s, 'bob@example.com');
    const code = await codeOf(
      s.auth.sessions.revoke(bob.userId, 'no-such-session', { password: PASSWORD, context: CTX }),
    );
    expect(code).toBe('NOT_FOUND');
    expect(ofType(s.events, 'session.foreign_access')).toEqual([]);
  });

  it('re-authenticating with another user’s session id is reported', async () => {
    const s = await setup();
    const ada = await signedIn(s, 'ada@example.com');
    const bob = await signedIn(s, 'bob@example.com');
    const code = await codeOf(
      s.auth.reauthenticate(
        { userId: bob.userId, sessionId: ada.sessionId, password: PASSWORD },
        CTX,
      ),
    );
    expect(code).toBe('UNAUTHENTICATED');
    expect(ofType(s.events, 'session.foreign_access')).toEqual([
      expect.objectContaining({ userId: bob.userId, data: { action: 'step_up' } }),
    ]);
  });

  it('revoking another user’s trusted device: NOT_FOUND, trusted_device.foreign_access', async () => {
    const s = await setup2fa();
    const ada = await s.enable(await verifiedUser(s, 'ada@example.com'));
    const { challenge } = await s.challenge();
    const result = await s.auth.verifySecondFactor(
      { challenge, method: 'totp', code: await s.code(ada.secret), rememberDevice: true },
      CTX,
    );
    const deviceId = (result.trustedDevice ?? fail('no device')).token.split('.')[0] ?? '';
    const bobId = await verifiedUser(s, 'bob@example.com');
    expect(await codeOf(s.auth.twoFactor.devices.revoke(bobId, deviceId, CTX))).toBe('NOT_FOUND');
    expect(ofType(s.events, 'trusted_device.foreign_access')).toEqual([
      expect.objectContaining({ userId: bobId, data: { action: 'revoke', deviceId } }),
    ]);
    expect(await codeOf(s.auth.twoFactor.devices.revoke(bobId, 'x'.repeat(22), CTX))).toBe(
      'NOT_FOUND',
    );
    expect(ofType(s.events, 'trusted_device.foreign_access')).toHaveLength(1);
  });
});

describe('request.csrf_refused and request.invalid (HTTP boundary)', () => {
  const ORIGIN = 'https://app.example.com';
  async function http() {
    const s = await setup();
    const handler = createHttpHandler(s.auth);
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      handler(
        new Request(`${ORIGIN}/api/auth${path}`, {
          method: 'POST',
          headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
          body,
        }),
        { remoteAddress: '198.51.100.4' },
      );
    return { ...s, post };
  }

  it('a cross-site sign-in is refused with request.csrf_refused (route, IP; no body)', async () => {
    const s = await http();
    const body = JSON.stringify({ identifier: 'ada@example.com', password: PASSWORD });
    const res = await s.post('/login', body, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(ofType(s.events, 'request.csrf_refused')).toEqual([
      expect.objectContaining({ ip: '198.51.100.4', data: { route: 'login' } }),
    ]);
    expect(s.logs.filter((l) => l.startsWith('warn security event request.csrf_refused'))).toEqual([
      expect.stringContaining('"route":"login"'),
    ]);
    expect(JSON.stringify(s.events) + s.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('a body that fails validation: request.invalid with the code and field name, never a value', async () => {
    const s = await http();
    const res = await s.post('/login', JSON.stringify({ identifier: PASSWORD, password: 42 }));
    expect(res.status).toBe(400);
    expect(ofType(s.events, 'request.invalid')).toEqual([
      expect.objectContaining({
        ip: '198.51.100.4',
        data: { code: 'VALIDATION_FAILED', route: 'login', field: 'password' },
      }),
    ]);
    expect(JSON.stringify(s.events) + s.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('malformed JSON: request.invalid with BAD_REQUEST and no field', async () => {
    const s = await http();
    const res = await s.post('/login', '{"identifier": "ada@exa');
    expect(res.status).toBe(400);
    expect(ofType(s.events, 'request.invalid')).toEqual([
      expect.objectContaining({ data: { code: 'BAD_REQUEST', route: 'login' } }),
    ]);
  });

  it('unknown routes are not reported (the raw path is client text)', async () => {
    const s = await http();
    const res = await s.post('/no-such-route', '{}');
    expect(res.status).toBe(404);
    expect(s.events.filter((e) => e.type.startsWith('request.'))).toEqual([]);
  });

  it('reportRequestProblem drops a route or field that is not a plain name', async () => {
    const s = await setup();
    await s.auth.reportRequestProblem(
      { kind: 'invalid', route: '/login\r\nforged', code: 'VALIDATION_FAILED', field: PASSWORD },
      CTX,
    );
    expect(ofType(s.events, 'request.invalid')).toEqual([
      expect.objectContaining({ data: { code: 'VALIDATION_FAILED', route: 'unknown' } }),
    ]);
  });
});
