import {
  type Auth,
  type AuthConfig,
  createAuth,
  isAuthError,
  type MemoryMailer,
  memoryMailer,
  silentLogger,
} from '@portcullis/core';
import { createPasswordHasher, type PasswordHasher } from '@portcullis/core/password';
import type { Storage } from '@portcullis/core/storage';

/** A cheap but real argon2id hasher: these tests are about storage, not hashing cost. */
let cheap: Promise<PasswordHasher> | undefined;
const cheapHasher = () => {
  cheap ??= createPasswordHasher({ backend: 'inline', params: { memoryKiB: 1024, iterations: 1 } });
  return cheap;
};

export const PASSWORD = 'violet tangerine orbit';
export const CTX = { ip: '203.0.113.7', userAgent: 'vitest (postgres)' };

/** A core `Auth` over `storage`, with an inbox. */
export async function authOver(storage: Storage, over: Partial<AuthConfig> = {}) {
  const mailer = memoryMailer({ appUrl: 'https://app.example.com' });
  const auth = createAuth({
    storage,
    mailer,
    appUrl: 'https://app.example.com',
    secret: 'postgres-tests-secret-0123456789abcdef',
    password: { hasher: await cheapHasher() },
    logger: silentLogger,
    ...over,
  });
  return { auth, mailer };
}

/** Registers and verifies `email`, signs in, and resolves to the user id and session token. */
export async function signUpAndIn(auth: Auth, mailer: MemoryMailer, email: string) {
  await auth.register({ email, password: PASSWORD }, CTX);
  const { user } = await auth.verifyEmail(await linkToken(mailer, email, 'verify-email'), CTX);
  const result = await auth.login({ identifier: email, password: PASSWORD }, CTX);
  if (result.status !== 'signed_in' || result.tokens.strategy !== 'cookie') {
    throw new Error(`expected a cookie sign-in, got ${result.status}`);
  }
  return { userId: user.id, sessionToken: result.tokens.sessionToken };
}

/** The token of the last mail of `kind` to `email` (waiting for it: mails go in the background). */
export async function linkToken(
  mailer: MemoryMailer,
  email: string,
  kind: Parameters<MemoryMailer['find']>[1],
) {
  const mail = await mailer.waitFor(email, kind).catch(() => undefined);
  const token = mail === undefined ? undefined : mailer.extractToken(mail);
  if (token === undefined) throw new Error(`no ${String(kind)} mail with a token for ${email}`);
  return token;
}

/** Result of one lifecycle step, for `expect(...).toEqual` over the whole run. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isAuthError(e) ? e.code : `thrown: ${String(e)}`),
  );

/**
 * The cookie-session lifecycle of core over `storage`: register, verify, sign in, validate,
 * list sessions, reset the password (a transaction), sign in again, delete the account (a
 * transaction). Resolves to what each step answered.
 */
export async function cookieLifecycle(storage: Storage, email: string) {
  const { auth, mailer } = await authOver(storage);
  try {
    const { userId, sessionToken } = await signUpAndIn(auth, mailer, email);
    const validated = await auth.validateSession(sessionToken);
    const listed = await auth.sessions.list(userId);
    await auth.passwords.requestReset(email, CTX);
    const newPassword = 'cerulean pamplemousse kite';
    await auth.passwords.reset(
      { token: await linkToken(mailer, email, 'password-reset'), newPassword },
      CTX,
    );
    const afterReset = await outcome(auth.validateSession(sessionToken));
    const oldPassword = await outcome(auth.login({ identifier: email, password: PASSWORD }, CTX));
    const signedIn = await auth.login({ identifier: email, password: newPassword }, CTX);
    const audit = (await auth.audit.list(userId)).map((e) => e.type);
    await auth.users.delete({ userId, password: newPassword }, CTX);
    return {
      validatedUser: validated.user.id === userId,
      sessions: listed.length,
      afterReset,
      oldPassword,
      newPassword: signedIn.status,
      audited: audit.includes('password.reset') && audit.includes('login.succeeded'),
      afterDelete: await outcome(auth.users.get(userId)),
      stored: await storage.users.getById(userId),
    };
  } finally {
    await auth.close();
  }
}

/**
 * The jwt strategy over `storage`: sign in, rotate the refresh token, retry that rotation (as a
 * client whose answer was lost: the same new token), rotate again, then replay the first token
 * (its successor was used, so this is reuse: the session is revoked and the newest token fails
 * too).
 */
export async function refreshLifecycle(storage: Storage, email: string) {
  const { auth } = await authOver(storage, {
    session: { strategy: 'jwt' },
    emailVerification: { required: false },
  });
  try {
    await auth.register({ email, password: PASSWORD }, CTX);
    const result = await auth.login({ identifier: email, password: PASSWORD }, CTX);
    if (result.status !== 'signed_in' || result.tokens.strategy !== 'jwt')
      throw new Error('no jwt');
    const first = result.tokens.refreshToken;
    const second = (await auth.refresh(first, CTX)).refreshToken;
    const retried = (await auth.refresh(first, CTX)).refreshToken;
    const third = (await auth.refresh(second, CTX)).refreshToken;
    return {
      retriedSameToken: retried === second,
      replayed: await outcome(auth.refresh(first, CTX)),
      newest: await outcome(auth.refresh(third, CTX)),
    };
  } finally {
    await auth.close();
  }
}
