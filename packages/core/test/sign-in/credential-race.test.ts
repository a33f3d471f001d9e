/**
 * The race of issue 14: sign-ins that read the old password before a password change (or a
 * reset) is written, and create their session after the change revoked the others. Before
 * credential generations such sessions stayed alive for weeks; now every session, refresh
 * token and access token opened with the old password is dead once the change is written.
 *
 * Two ways of making the race happen: a gate that holds every sign-in at `sessions.create`
 * (after it verified the old password) until the change is done — the worst case, every time —
 * and free-running rounds where the sign-ins and the change interleave as the event loop
 * schedules them.
 */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import {
  type Auth,
  type AuthConfig,
  createAuth,
  type LoginResult,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '../../src/index.js';
import type { SessionRecord, Storage } from '../../src/storage/index.js';
import { fakeClock } from '../../src/testing/index.js';
import { cheapHasher } from '../flows/helpers.js';

const ORIGIN = 'https://app.example.com';
const ADA = 'ada@example.com';
const PASSWORD = 'violet tangerine orbit';
const NEW_PASSWORD = 'copper lantern meadow';
const IN_FLIGHT = 4;
const ROUNDS = 25;

/** Memory storage whose `sessions.create` can be held until the test opens the gate. */
function gatedStorage() {
  const base = memoryStorage();
  let gate: Promise<void> | undefined;
  let open = () => {};
  let held = 0;
  const arrived: (() => void)[] = [];
  const sessions = {
    ...base.sessions,
    async create(session: SessionRecord) {
      if (gate !== undefined) {
        held++;
        for (const notify of arrived.splice(0)) notify();
        await gate;
      }
      return base.sessions.create(session);
    },
  };
  const storage: Storage = { ...base, sessions };
  return {
    storage,
    /** From now on, sessions wait at `create`. */
    close() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      held = 0;
    },
    /** Resolves once `n` sign-ins wait at the gate. */
    async waitFor(n: number) {
      while (held < n) await new Promise<void>((resolve) => arrived.push(resolve));
    },
    open() {
      gate = undefined;
      open();
    },
  };
}

async function makeAuth(storage: Storage, over: Partial<AuthConfig> = {}) {
  const mailer = memoryMailer({ appUrl: ORIGIN });
  const auth = createAuth({
    storage,
    mailer,
    appUrl: ORIGIN,
    secret: 'race-tests-secret-0123456789abcdef',
    clock: fakeClock(Date.UTC(2026, 0, 1)),
    logger: silentLogger,
    emailVerification: { required: false },
    password: { hasher: await cheapHasher() },
    ...over,
  });
  await auth.register({ email: ADA, password: PASSWORD });
  const user = await auth.storage.users.getByEmail(ADA);
  return { auth, mailer, userId: user?.id ?? '' };
}

/** Every credential a signed-in result holds, and whether each still opens anything. */
async function stillAlive(auth: Auth, results: readonly LoginResult[]): Promise<string[]> {
  const alive: string[] = [];
  for (const result of results) {
    if (result.status !== 'signed_in') continue;
    const { tokens, session } = result;
    if (tokens.strategy === 'cookie') {
      if (await opens(auth.validateSession(tokens.sessionToken)))
        alive.push(`cookie ${session.id}`);
      continue;
    }
    if (await opens(auth.validateAccessToken(tokens.accessToken)))
      alive.push(`access ${session.id}`);
    if (await opens(auth.verifyAccessToken(tokens.accessToken, { checkSession: true }))) {
      alive.push(`checked access ${session.id}`);
    }
    if (await opens(auth.refresh(tokens.refreshToken))) alive.push(`refresh ${session.id}`);
  }
  return alive;
}

const opens = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

const settle = <T>(promises: Promise<T>[]) =>
  Promise.all(
    promises.map((p) =>
      p.then(
        (v) => ({ ok: true as const, v }),
        () => ({ ok: false as const }),
      ),
    ),
  );

function resetToken(mailer: ReturnType<typeof memoryMailer>): string {
  const mail = mailer.find(ADA, 'password-reset');
  const token = mail === undefined ? undefined : mailer.extractToken(mail);
  if (token === undefined) throw new Error('no reset mail');
  return token;
}

/** The credential change under test, by the typed API. */
type Change = (a: {
  auth: Auth;
  userId: string;
  sessionId: string;
  mailer: ReturnType<typeof memoryMailer>;
}) => Promise<unknown>;

const changes: Record<'password change' | 'password reset', { run: Change; keeps: boolean }> = {
  'password change': {
    keeps: true,
    run: ({ auth, userId, sessionId }) =>
      auth.passwords.change({
        userId,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        sessionId,
      }),
  },
  'password reset': {
    keeps: false,
    run: async ({ auth, mailer }) => {
      await auth.passwords.requestReset(ADA);
      await auth.passwords.reset({ token: resetToken(mailer), newPassword: NEW_PASSWORD });
    },
  },
};

describe('sign-ins racing a credential change (typed API)', () => {
  for (const strategy of ['cookie', 'jwt'] as const) {
    for (const [name, change] of Object.entries(changes)) {
      it(`${strategy}: ${IN_FLIGHT} sign-ins held after the old password checked out, then a ${name}: none of their sessions lives`, async () => {
        const gated = gatedStorage();
        const { auth, mailer, userId } = await makeAuth(gated.storage, { session: { strategy } });
        const own = await auth.login({ identifier: ADA, password: PASSWORD });
        if (own.status !== 'signed_in') throw new Error('setup');
        gated.close();
        const inFlight = Array.from({ length: IN_FLIGHT }, () =>
          auth.login({ identifier: ADA, password: PASSWORD }),
        );
        await gated.waitFor(IN_FLIGHT);
        await change.run({ auth, userId, sessionId: own.session.id, mailer });
        gated.open();
        const results = await Promise.all(inFlight);
        // The sign-ins themselves went through: they had checked the password in time.
        expect(results.every((r) => r.status === 'signed_in')).toBe(true);
        expect(await stillAlive(auth, results)).toEqual([]);
        const live = (await auth.sessions.list(userId)).map((s) => s.id);
        expect(live).toEqual(change.keeps ? [own.session.id] : []);
        expect(await stillAlive(auth, [own])).toEqual(
          change.keeps
            ? strategy === 'cookie'
              ? [`cookie ${own.session.id}`]
              : [
                  `access ${own.session.id}`,
                  `checked access ${own.session.id}`,
                  `refresh ${own.session.id}`,
                ]
            : [],
        );
      });

      it(`${strategy}: ${ROUNDS} free-running rounds of ${IN_FLIGHT} sign-ins with the old password around a ${name}`, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const { auth, mailer, userId } = await makeAuth(memoryStorage(), {
            session: { strategy },
          });
          const own = await auth.login({ identifier: ADA, password: PASSWORD });
          if (own.status !== 'signed_in') throw new Error('setup');
          // Staggered starts: some sign-ins begin before the change, some during it.
          const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
            new Promise((r) => setTimeout(r, (round + i) % 3)).then(() =>
              auth.login({ identifier: ADA, password: PASSWORD }),
            ),
          );
          await change.run({ auth, userId, sessionId: own.session.id, mailer });
          const results = (await settle(inFlight)).flatMap((r) => (r.ok ? [r.v] : []));
          expect(await stillAlive(auth, results), `round ${round}`).toEqual([]);
          const live = (await auth.sessions.list(userId)).map((s) => s.id);
          expect(live, `round ${round}`).toEqual(change.keeps ? [own.session.id] : []);
        }
      });
    }
  }
});

describe('sign-ins racing a credential change (HTTP)', () => {
  /** The handler with jwt sessions, refresh tokens in the body, and a caller for JSON. */
  async function http(storage: Storage) {
    const made = await makeAuth(storage, {
      session: { strategy: 'jwt' },
      http: { refreshTokenTransport: 'body' },
    });
    const handler = createHttpHandler(made.auth);
    const call = async (method: string, path: string, body?: unknown, bearer?: string) => {
      const res = await handler(
        new Request(`${ORIGIN}/api/auth${path}`, {
          method,
          headers: {
            origin: ORIGIN,
            'content-type': 'application/json',
            ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
      return {
        status: res.status,
        body: (await res.json().catch(() => ({}))) as Record<string, string>,
      };
    };
    const login = () => call('POST', '/login', { identifier: ADA, password: PASSWORD });
    return { ...made, call, login };
  }

  const viaHttp: Record<
    string,
    (h: Awaited<ReturnType<typeof http>>, bearer: string) => Promise<unknown>
  > = {
    'password change': async (h, bearer) => {
      const res = await h.call(
        'POST',
        '/password/change',
        { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        bearer,
      );
      expect(res.status).toBe(204);
    },
    'password reset': async (h) => {
      await h.call('POST', '/password/reset', { email: ADA });
      const res = await h.call('POST', '/password/reset/confirm', {
        token: resetToken(h.mailer),
        newPassword: NEW_PASSWORD,
      });
      expect(res.status).toBe(200);
    },
  };

  for (const [name, run] of Object.entries(viaHttp)) {
    it(`${IN_FLIGHT} POST /login held after the old password checked out, then a ${name}: no token of theirs works`, async () => {
      const gated = gatedStorage();
      const h = await http(gated.storage);
      const own = await h.login();
      const bearer = own.body.accessToken ?? '';
      gated.close();
      const inFlight = Array.from({ length: IN_FLIGHT }, () => h.login());
      await gated.waitFor(IN_FLIGHT);
      await run(h, bearer);
      gated.open();
      const results = await Promise.all(inFlight);
      for (const r of results) {
        expect(r.status).toBe(200);
        expect((await h.call('GET', '/session', undefined, r.body.accessToken)).status).toBe(401);
        const refreshed = await h.call('POST', '/token/refresh', {
          refreshToken: r.body.refreshToken,
        });
        expect(refreshed.status).toBe(401);
      }
      const mine = await h.call('GET', '/session', undefined, bearer);
      expect(mine.status).toBe(name === 'password change' ? 200 : 401);
    });
  }
});
