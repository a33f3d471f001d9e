import { expect } from 'vitest';
import {
  type AuthConfig,
  type AuthErrorCode,
  type AuthEvent,
  createAuth,
  type Logger,
  type MailKind,
  memoryMailer,
  memoryStorage,
} from '../../src/index.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/password/index.js';
import { fakeClock } from '../../src/testing/index.js';

/** A cheap but real argon2id hasher: these tests are about flows, not hashing cost. */
let cheap: Promise<PasswordHasher> | undefined;
export const cheapHasher = () => {
  cheap ??= createPasswordHasher({ backend: 'inline', params: { memoryKiB: 1024, iterations: 1 } });
  return cheap;
};

export const T0 = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;
export const APP_URL = 'https://app.example.com';
export const PASSWORD = 'violet tangerine orbit';
export const NEW_PASSWORD = 'copper lantern meadow';
export const CTX = { ip: '203.0.113.7', userAgent: 'vitest/4 (account)' };

export function fail(message: string): never {
  throw new Error(message);
}

/** Asserts that `promise` rejects with an AuthError of `code`; resolves to the error. */
export async function expectCode(promise: Promise<unknown>, code: AuthErrorCode) {
  const error: unknown = await promise.then(
    () => fail(`expected ${code}, but it resolved`),
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: 'AuthError', code });
  return error as { code: AuthErrorCode; details?: readonly { path: string }[] };
}

/**
 * A fresh Auth on memory storage with a fake clock, an inbox, captured events and log lines,
 * and a list of every secret the scenario handled, for leak scans.
 */
export async function setup(over: Partial<AuthConfig> = {}) {
  const clock = fakeClock(T0);
  const mailer = memoryMailer({ appUrl: APP_URL });
  const events: AuthEvent[] = [];
  const logs: string[] = [];
  const secrets = new Set<string>([PASSWORD, NEW_PASSWORD]);
  const log = (level: string) => (message: string, fields?: object) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const auth = createAuth({
    storage: memoryStorage(),
    mailer,
    appUrl: APP_URL,
    secret: 'account-tests-secret-0123456789abcdef',
    clock,
    logger,
    onEvent: (e) => {
      events.push(e);
    },
    password: { hasher: await cheapHasher() },
    ...over,
  });

  /** The token of the latest mail of `kind` to `to`, remembered as a secret. */
  const tokenFrom = (to: string, kind: MailKind): string => {
    const token = mailer.extractToken(mailer.find(to, kind) ?? fail(`no ${kind} mail to ${to}`));
    if (token === undefined) fail(`no token in the ${kind} mail`);
    secrets.add(token);
    secrets.add(token.split('.')[1] ?? token); // the verifier alone is the secret part
    return token;
  };

  /** Remembers the user's current password hash as a secret. */
  const rememberHash = async (userId: string) => {
    const hash = (await auth.storage.users.getById(userId))?.passwordHash;
    if (hash !== undefined) {
      secrets.add(hash);
      secrets.add(hash.split('$').at(-1) ?? hash); // the digest alone
    }
  };

  /** Registers and verifies a user; resolves to their id. */
  const signUp = async (email: string, extra: { username?: string; firstName?: string } = {}) => {
    await auth.register({ email, password: PASSWORD, ...extra }, CTX);
    const { user } = await auth.verifyEmail(tokenFrom(email, 'verify-email'), CTX);
    await rememberHash(user.id);
    return user.id;
  };

  /** Signs in (cookie strategy); resolves to the session id and token. */
  const signIn = async (identifier: string, password = PASSWORD, context = CTX) => {
    const result = await auth.login({ identifier, password }, context);
    if (result.status !== 'signed_in' || result.tokens.strategy !== 'cookie') {
      return fail('expected a cookie session');
    }
    secrets.add(result.tokens.sessionToken);
    secrets.add(result.tokens.sessionToken.split('.')[1] ?? result.tokens.sessionToken);
    return { sessionId: result.session.id, sessionToken: result.tokens.sessionToken };
  };

  /** Asserts that none of `values` (results, events, log lines) contains a known secret. */
  const assertNoSecrets = (values: readonly unknown[]) => {
    expect(secrets.size).toBeGreaterThan(2);
    for (const value of values) {
      const text = typeof value === 'string' ? value : String(JSON.stringify(value));
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  };

  return {
    auth,
    clock,
    mailer,
    events,
    logs,
    secrets,
    tokenFrom,
    rememberHash,
    signUp,
    signIn,
    assertNoSecrets,
  };
}

/** The events of `type` that a listener received. */
export const ofType = (events: readonly AuthEvent[], type: AuthEvent['type']) =>
  events.filter((e) => e.type === type);
