/**
 * Issue 15: reset, resend and register answer after the same awaited work for a known and an
 * unknown address; the known-account work (token writes, audit rows, mail) follows in the
 * background, in order, and its failures are logged, never thrown. Timing itself is measured
 * by `tests/timing` (docs/security.md, "Equal work: measured"), not here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import { memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/index.js';
import { setBackgroundInline, settleBackgroundWork } from '../../src/testing/index.js';
import { APP_URL, CTX, NEW_PASSWORD, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';
const NOBODY = 'nobody@example.com';

/**
 * Memory storage that records every store call (`tokens.create`) when it is made, and fails
 * the calls named in `failing` with a driver-like error.
 */
function recordingStorage() {
  const inner = memoryStorage();
  const calls: string[] = [];
  const failing = new Set<string>();
  const wrap = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        const call = `${name}.${String(key)}`;
        return (...args: unknown[]) => {
          calls.push(call);
          if (failing.has(call)) return Promise.reject(new Error('connection reset (simulated)'));
          return Reflect.apply(value, target, args);
        };
      },
    });
  const storage: Storage = {
    users: wrap('users', inner.users),
    accounts: wrap('accounts', inner.accounts),
    passkeys: wrap('passkeys', inner.passkeys),
    sessions: wrap('sessions', inner.sessions),
    tokens: wrap('tokens', inner.tokens),
    twoFactor: wrap('twoFactor', inner.twoFactor),
    rateLimits: wrap('rateLimits', inner.rateLimits),
    audit: wrap('audit', inner.audit),
  };
  return { storage, calls, failing };
}

/** The store calls `run` makes before it answers (background work starts on a later turn). */
async function awaitedCalls(calls: string[], run: () => Promise<unknown>) {
  calls.length = 0;
  const answer = await run();
  const before = [...calls];
  await settleBackgroundWork();
  return { answer, before, all: [...calls] };
}

async function scenario() {
  const recording = recordingStorage();
  const s = await setup({ storage: recording.storage });
  // The helper reads the inbox right after registering: inline for it.
  setBackgroundInline(true);
  await s.signUp(ADA).finally(() => setBackgroundInline(false));
  return { ...s, ...recording };
}

// Suites elsewhere run background work inline (test/setup/background-inline.ts); not here.
beforeAll(() => setBackgroundInline(false));
afterAll(() => setBackgroundInline(true));

describe('equal awaited work before the answer (enumeration by timing)', () => {
  it('password reset: a known address waits for the same store calls as an unknown one', async () => {
    const { auth, calls, mailer } = await scenario();
    const known = await awaitedCalls(calls, () => auth.passwords.requestReset(ADA, CTX));
    const unknown = await awaitedCalls(calls, () => auth.passwords.requestReset(NOBODY, CTX));
    expect(known.answer).toEqual(unknown.answer);
    expect(known.before).toEqual(unknown.before);
    expect(known.before).toEqual(['rateLimits.hit', 'rateLimits.hit', 'users.getByEmail']);
    // The known-account work still happens, after the answer: the token is written before the
    // mail's budget is counted (and the mail sent), and the link works.
    expect(known.all).toContain('audit.append');
    expect(known.all.indexOf('tokens.create')).toBeLessThan(
      known.all.lastIndexOf('rateLimits.hit'),
    );
    const token = mailer.extractToken(await mailer.waitFor(ADA, 'password-reset'));
    expect(
      await auth.passwords.reset({ token: token ?? '', newPassword: NEW_PASSWORD }, CTX),
    ).toEqual({ status: 'password_reset' });
  });

  it('resend: a known unverified address waits for the same store calls as an unknown one', async () => {
    const { auth, calls, mailer } = await scenario();
    await auth.register({ email: 'grace@example.com', password: PASSWORD }, CTX);
    mailer.clear();
    await settleBackgroundWork();
    const known = await awaitedCalls(calls, () =>
      auth.resendVerification('grace@example.com', CTX),
    );
    const unknown = await awaitedCalls(calls, () => auth.resendVerification(NOBODY, CTX));
    expect(known.answer).toEqual(unknown.answer);
    expect(known.before).toEqual(unknown.before);
    expect(known.all).toEqual(expect.arrayContaining(['tokens.create', 'audit.append']));
    const token = mailer.extractToken(await mailer.waitFor('grace@example.com', 'verify-email'));
    expect((await auth.verifyEmail(token ?? '', CTX)).status).toBe('verified');
  });

  it('register: a taken address waits for the same store calls as a new one', async () => {
    const { auth, calls, mailer } = await scenario();
    mailer.clear();
    const fresh = await awaitedCalls(calls, () =>
      auth.register({ email: 'grace@example.com', password: PASSWORD }, CTX),
    );
    const taken = await awaitedCalls(calls, () =>
      auth.register({ email: ADA, password: PASSWORD }, CTX),
    );
    expect(fresh.answer).toEqual(taken.answer);
    expect(fresh.before).toEqual(taken.before);
    expect(fresh.before).not.toContain('users.create');
    // The account is made after the answer; its link verifies it. The owner of the taken
    // address is told instead.
    expect(fresh.all).toContain('users.create');
    const token = mailer.extractToken(await mailer.waitFor('grace@example.com', 'verify-email'));
    expect((await auth.verifyEmail(token ?? '', CTX)).status).toBe('verified');
    await mailer.waitFor(ADA, 'register-existing');
  });
});

describe('a store failure in the background work', () => {
  it('reset: logged without a secret, the answer unchanged, no mail and no crash', async () => {
    const { auth, failing, logs, mailer } = await scenario();
    mailer.clear();
    failing.add('tokens.create');
    expect(await auth.passwords.requestReset(ADA, CTX)).toEqual({ status: 'reset_sent' });
    await settleBackgroundWork();
    const failures = logs.filter((l) => l.startsWith('error background work failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('"job":"password-reset"');
    expect(failures[0]).not.toContain(PASSWORD);
    expect(mailer.messages).toEqual([]);
  });

  it('register: the account write fails after a 202 over HTTP; logged, nothing mailed', async () => {
    const { auth, failing, logs, mailer } = await scenario();
    mailer.clear();
    failing.add('users.create');
    const handler = createHttpHandler(auth);
    const res = await handler(
      new Request(`${APP_URL}/api/auth/register`, {
        method: 'POST',
        headers: { origin: APP_URL, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'grace@example.com', password: PASSWORD }),
      }),
      { remoteAddress: '127.0.0.1' },
    );
    expect(res.status).toBe(202);
    await settleBackgroundWork();
    expect(logs.filter((l) => l.startsWith('error background work failed'))).toEqual([
      expect.stringContaining('"job":"register"'),
    ]);
    expect(mailer.messages).toEqual([]);
  });

  it('resend: a failing audit store does not stop the mail, and nothing is thrown', async () => {
    const { auth, failing, mailer } = await scenario();
    await auth.register({ email: 'grace@example.com', password: PASSWORD }, CTX);
    await settleBackgroundWork();
    mailer.clear();
    failing.add('audit.append');
    expect(await auth.resendVerification('grace@example.com', CTX)).toEqual({
      status: 'verification_sent',
    });
    await mailer.waitFor('grace@example.com', 'verify-email');
  });

  it('a logger that throws does not turn a failure into an unhandled rejection', async () => {
    const recording = recordingStorage();
    const throwing = () => {
      throw new Error('logger down');
    };
    const { auth } = await setup({
      storage: recording.storage,
      logger: { debug() {}, info() {}, warn: throwing, error: throwing },
    });
    recording.failing.add('users.create');
    await auth.register({ email: 'grace@example.com', password: PASSWORD }, CTX);
    await settleBackgroundWork();
    expect(recording.calls).toContain('users.create');
  });
});
