/**
 * Issue 16: a store failure at any point of a flow leaves the state as before or as after,
 * never between. Every store call a flow makes is, in turn, made to fail (a driver error that
 * did nothing: the server was gone); then the fault is lifted and the invariants are checked:
 * the answer was the flow's success or `STORAGE_UNAVAILABLE`; the client's retry of the same
 * request succeeds (no refresh token burnt, no false reuse); no session lives that the client
 * was not given; and the sign-in lockout counted nothing for an answer not given.
 *
 * The real-server version (PostgreSQL behind a proxy, a throwaway Redis) is in
 * tests/integration; this one reaches every call deterministically.
 */
import { describe, expect, it } from 'vitest';
import { ruleKey } from '../../src/abuse/rate-limit.js';
import { type Auth, isAuthError, memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/types.js';
import { STORE_NAMES } from '../../src/storage/types.js';
import { settleCompensations } from '../../src/testing/index.js';
import { DEFAULT_TOTP_PARAMS, totpCode } from '../../src/two-factor/index.js';
import { CTX, PASSWORD, setup } from '../flows/helpers.js';

const ADA = 'ada@example.com';

/** A storage whose `nth` call (counting from 1) fails before it does anything, when armed. */
function faultyStorage(inner: Storage) {
  let calls: string[] = [];
  let failAt: number | undefined;
  /** With `sticky`, the store of the failing call stays down until the next `arm`. */
  let sticky = false;
  /** With `after`, the failing call is carried out, then its reply is lost. */
  let after = false;
  let downStore: string | undefined;
  const wrap = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}`);
          if (failAt !== undefined && calls.length === failAt && sticky) downStore = name;
          if (downStore === name || (failAt !== undefined && calls.length === failAt)) {
            const lost = new Error(`connection lost (injected at ${name}.${String(prop)})`);
            if (after) {
              return Promise.resolve(Reflect.apply(value, target, args)).then(() => {
                throw lost;
              });
            }
            return Promise.reject(lost);
          }
          return Reflect.apply(value, target, args);
        };
      },
    });
  const storage = Object.fromEntries(
    STORE_NAMES.map((name) => [name, wrap(name, inner[name])]),
  ) as unknown as Storage;
  return {
    storage,
    /** Counts calls from now on; with `at`, the `at`-th fails. */
    arm(at?: number, options: { sticky?: boolean; after?: boolean } = {}) {
      calls = [];
      failAt = at;
      sticky = options.sticky === true;
      after = options.after === true;
      downStore = undefined;
    },
    calls: () => [...calls],
  };
}

const codeOf = (error: unknown) => (isAuthError(error) ? error.code : String(error));

async function world(strategy: 'cookie' | 'jwt', session: { maxPerUser?: number } = {}) {
  const inner = memoryStorage();
  const faulty = faultyStorage(inner);
  const s = await setup({ storage: faulty.storage, session: { strategy, ...session } });
  const userId = await s.signUp(ADA);
  const live = async () =>
    (await inner.sessions.listByUser(userId, s.clock.now())).map((x) => x.id);
  const failures = async () =>
    (await inner.rateLimits.peek(ruleKey('loginPerAccount', ADA), s.clock.now()))?.count ?? 0;
  return { ...s, inner, faulty, userId, live, failures };
}

/** Runs `flow` once per store call it makes, that call failing; `check` after each. */
async function eachFaultPoint(
  make: () => ReturnType<typeof world>,
  flow: (w: Awaited<ReturnType<typeof world>>) => Promise<unknown>,
  check: (
    w: Awaited<ReturnType<typeof world>>,
    answer: { ok: true; value: unknown } | { ok: false; code: string },
    call: string,
  ) => Promise<void>,
) {
  const dry = await make();
  dry.faulty.arm();
  await flow(dry);
  const points = dry.faulty.calls();
  expect(points.length).toBeGreaterThan(2);
  for (let k = 1; k <= points.length; k++) {
    const w = await make();
    w.faulty.arm(k);
    const answer = await flow(w).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, code: codeOf(error) }),
    );
    const call = w.faulty.calls()[k - 1] ?? `#${k}`;
    w.faulty.arm();
    // Undo steps run off the request path: let them finish.
    await settleCompensations();
    if (!answer.ok) expect(answer.code, call).toBe('STORAGE_UNAVAILABLE');
    await check(w, answer, call);
  }
  return points;
}

const login = (auth: Auth) => auth.login({ identifier: ADA, password: PASSWORD }, CTX);

describe('a store failure at each step of a flow (issue 16)', () => {
  for (const strategy of ['cookie', 'jwt'] as const) {
    it(`sign-in (${strategy}): the session comes back or none is left; no failure counted; the retry signs in`, async () => {
      const points = await eachFaultPoint(
        () => world(strategy),
        (w) => login(w.auth),
        async (w, answer, call) => {
          const live = await w.live();
          if (answer.ok) {
            const result = answer.value as { status: string; session: { id: string } };
            expect(live, call).toEqual([result.session.id]);
          } else {
            expect(live, `${call}: a session nobody holds`).toEqual([]);
            expect(await w.failures(), `${call}: lockout counted a 503`).toBe(0);
          }
          const retry = await login(w.auth);
          expect(retry.status, call).toBe('signed_in');
        },
      );
      expect(points).toContain('sessions.create');
    });
  }

  it('a store that stays down: the undo waits for it, then no session is left and nothing counted', async () => {
    const dry = await world('cookie');
    dry.faulty.arm();
    await login(dry.auth);
    const points = dry.faulty.calls();
    for (const at of points.flatMap((call, i) =>
      call.startsWith('sessions.') || call.startsWith('rateLimits.') ? [i + 1] : [],
    )) {
      const w = await world('cookie');
      w.faulty.arm(at, { sticky: true });
      const answer = await login(w.auth).catch((error: unknown) => codeOf(error));
      const call = w.faulty.calls()[at - 1];
      // The store comes back: the undo steps waiting for it run.
      w.faulty.arm();
      await settleCompensations();
      if (typeof answer === 'string') {
        expect(answer, call).toBe('STORAGE_UNAVAILABLE');
        expect(await w.live(), `${call}: a session nobody holds`).toEqual([]);
        expect(await w.failures(), `${call}: lockout counted a 503`).toBe(0);
      }
      expect((await login(w.auth)).status, call).toBe('signed_in');
    }
  });

  it('a wrong password stays counted when a write after its check fails (no free guesses)', async () => {
    const w = await world('cookie');
    for (let i = 0; i < 4; i++) {
      await expect(
        w.auth.login({ identifier: ADA, password: 'not the password at all' }, CTX),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    // The 5th wrong password reaches the limit; writing the lock fails.
    w.faulty.arm();
    await w.auth
      .login({ identifier: ADA, password: 'still not the password' }, CTX)
      .catch(() => {});
    const lockAt = w.faulty.calls().indexOf('rateLimits.lock') + 1;
    expect(lockAt).toBeGreaterThan(0);
    const fresh = await world('cookie');
    for (let i = 0; i < 4; i++) {
      await fresh.auth
        .login({ identifier: ADA, password: 'not the password at all' }, CTX)
        .catch(() => {});
    }
    fresh.faulty.arm(lockAt);
    await expect(
      fresh.auth.login({ identifier: ADA, password: 'still not the password' }, CTX),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    fresh.faulty.arm();
    await settleCompensations();
    expect(await fresh.failures()).toBe(5);
    await expect(login(fresh.auth)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('five sign-ins answered 503 do not lock the account', async () => {
    const w = await world('cookie');
    w.faulty.arm();
    await login(w.auth);
    // The user lookup fails: the attempt was reserved before it.
    const lookup = w.faulty.calls().indexOf('users.getByEmail') + 1;
    expect(w.faulty.calls().slice(0, lookup)).toContain('rateLimits.hit');
    for (let i = 0; i < 6; i++) {
      w.faulty.arm(lookup);
      await expect(login(w.auth)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    }
    w.faulty.arm();
    await settleCompensations();
    expect((await login(w.auth)).status).toBe('signed_in');
  });

  it('refresh: the presented token keeps working after any failure; no reuse is detected', async () => {
    let token = '';
    const points = await eachFaultPoint(
      async () => {
        const w = await world('jwt');
        const signedIn = await login(w.auth);
        if (signedIn.status !== 'signed_in' || signedIn.tokens.strategy !== 'jwt') {
          throw new Error('expected jwt tokens');
        }
        token = signedIn.tokens.refreshToken;
        return w;
      },
      (w) => w.auth.refresh(token, CTX),
      async (w, answer, call) => {
        const held = answer.ok ? (answer.value as { refreshToken: string }).refreshToken : token;
        const retry = await w.auth.refresh(held, CTX).catch((error: unknown) => codeOf(error));
        expect(typeof retry === 'string' ? retry : 'refreshed', call).toBe('refreshed');
        expect(
          w.events.filter((e) => e.type === 'refresh.reuse_detected'),
          call,
        ).toEqual([]);
        expect((await w.live()).length, call).toBe(1);
      },
    );
    expect(points).toContain('sessions.rotateRefresh');
  });

  for (const remember of [false, true]) {
    it(`2FA verify${remember ? ' with rememberDevice' : ''}: a session or none; the retry with the same challenge and code signs in`, async () => {
      let challenge = '';
      let code = '';
      const points = await eachFaultPoint(
        async () => {
          const w = await world('cookie');
          const { secret } = await w.auth.twoFactor.totp.enroll({
            userId: w.userId,
            password: PASSWORD,
          });
          const step = () => w.clock.advance(DEFAULT_TOTP_PARAMS.periodSeconds * 1000);
          await w.auth.twoFactor.totp.confirm({
            userId: w.userId,
            code: await totpCode(secret, DEFAULT_TOTP_PARAMS, step()),
          });
          const pending = await login(w.auth);
          if (pending.status !== 'two_factor_required') throw new Error('expected a challenge');
          challenge = pending.challenge;
          code = await totpCode(secret, DEFAULT_TOTP_PARAMS, step());
          return w;
        },
        (w) =>
          w.auth.verifySecondFactor(
            { challenge, method: 'totp', code, rememberDevice: remember },
            CTX,
          ),
        async (w, answer, call) => {
          const live = await w.live();
          if (answer.ok) {
            expect(live, call).toEqual([(answer.value as { session: { id: string } }).session.id]);
            return;
          }
          expect(live, `${call}: a session nobody holds`).toEqual([]);
          const retry = await w.auth.verifySecondFactor(
            { challenge, method: 'totp', code, rememberDevice: remember },
            CTX,
          );
          expect(retry.status, call).toBe('signed_in');
        },
      );
      expect(points).toContain('tokens.consume');
    });
  }

  /** A user with TOTP on; `challenge()` passes the password, `code()` is the current code. */
  async function totpWorld(session: { maxPerUser?: number } = {}) {
    const w = await world('cookie', session);
    const { secret } = await w.auth.twoFactor.totp.enroll({ userId: w.userId, password: PASSWORD });
    const step = () => w.clock.advance(DEFAULT_TOTP_PARAMS.periodSeconds * 1000);
    await w.auth.twoFactor.totp.confirm({
      userId: w.userId,
      code: await totpCode(secret, DEFAULT_TOTP_PARAMS, step()),
    });
    step();
    const challenge = async () => {
      const pending = await login(w.auth);
      if (pending.status !== 'two_factor_required') throw new Error('expected a challenge');
      return pending.challenge;
    };
    const code = () => totpCode(secret, DEFAULT_TOTP_PARAMS, w.clock.now());
    return { ...w, challenge, code, step };
  }

  it('of two racing verifications with one TOTP code, the replay ends no session (maxPerUser 1) and claims no sign-in', async () => {
    const w = await totpWorld({ maxPerUser: 1 });
    const code = await w.code();
    const [first, second] = [await w.challenge(), await w.challenge()];
    // Both check the code before either commits its use: one wins, the other is a replay.
    const results = await Promise.allSettled([
      w.auth.verifySecondFactor({ challenge: first, method: 'totp', code }, CTX),
      w.auth.verifySecondFactor({ challenge: second, method: 'totp', code }, CTX),
    ]);
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []));
    expect(won).toHaveLength(1);
    expect(lost).toEqual(['CODE_INVALID']);
    await settleCompensations();
    expect(await w.live()).toEqual([won[0]?.session.id]);
    expect(w.events.filter((e) => e.type === 'login.succeeded')).toHaveLength(1);
  });

  /** Arms a lost reply (the write applied, its reply lost) at the first call of `method`. */
  async function lostReplyAt(w: Awaited<ReturnType<typeof totpWorld>>, method: string) {
    const challenge = await w.challenge();
    w.faulty.arm();
    await w.auth.verifySecondFactor({ challenge, method: 'totp', code: await w.code() }, CTX);
    w.step();
    return w.faulty.calls().indexOf(method) + 1;
  }

  it('a challenge whose use-up reply was lost is put back: the retry with the same code signs in', async () => {
    const w = await totpWorld();
    const consumeAt = await lostReplyAt(w, 'tokens.consume');
    const again = await w.challenge();
    const code = await w.code();
    w.faulty.arm(consumeAt, { after: true });
    await expect(
      w.auth.verifySecondFactor({ challenge: again, method: 'totp', code }, CTX),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    w.faulty.arm();
    await settleCompensations();
    const retry = await w.auth.verifySecondFactor({ challenge: again, method: 'totp', code }, CTX);
    expect(retry.status).toBe('signed_in');
    expect(await w.live()).toHaveLength(2); // the first test sign-in's and the retry's
  });

  it("a TOTP use whose reply was lost is the retry's own: the same challenge and code sign in, another challenge with that code is a replay", async () => {
    const w = await totpWorld();
    const advanceAt = await lostReplyAt(w, 'users.advanceTotpStep');
    const again = await w.challenge();
    const other = await w.challenge();
    const code = await w.code();
    w.faulty.arm(advanceAt, { after: true });
    await expect(
      w.auth.verifySecondFactor({ challenge: again, method: 'totp', code }, CTX),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    w.faulty.arm();
    await settleCompensations();
    const before = await w.live();
    // The step was written: through another challenge the code is used (RFC 6238 5.2).
    await expect(
      w.auth.verifySecondFactor({ challenge: other, method: 'totp', code }, CTX),
    ).rejects.toMatchObject({ code: 'CODE_INVALID' });
    const retry = await w.auth.verifySecondFactor({ challenge: again, method: 'totp', code }, CTX);
    expect(retry.status).toBe('signed_in');
    expect((await w.live()).length).toBe(before.length + 1);
    // The put-back challenge is used up now: no second session from it.
    await expect(
      w.auth.verifySecondFactor({ challenge: again, method: 'totp', code }, CTX),
    ).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('reauthenticate: a new session and no old one, or the old one and no new one', async () => {
    let sessionId = '';
    await eachFaultPoint(
      async () => {
        const w = await world('cookie');
        const signedIn = await login(w.auth);
        if (signedIn.status !== 'signed_in') throw new Error('expected a session');
        sessionId = signedIn.session.id;
        return w;
      },
      (w) => w.auth.reauthenticate({ userId: w.userId, sessionId, password: PASSWORD }, CTX),
      async (w, answer, call) => {
        const live = await w.live();
        if (answer.ok) {
          expect(live, call).toEqual([(answer.value as { session: { id: string } }).session.id]);
        } else {
          expect(live, call).toEqual([sessionId]);
          const retry = await w.auth.reauthenticate(
            { userId: w.userId, sessionId, password: PASSWORD },
            CTX,
          );
          expect(retry.status, call).toBe('signed_in');
        }
      },
    );
  });
});
