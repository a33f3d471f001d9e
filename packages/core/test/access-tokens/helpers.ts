import { hmacSha256, Keyring, toBase64Url } from '../../src/crypto/index.js';
import {
  type AuthConfig,
  type AuthEvent,
  createAuth,
  type Logger,
  memoryMailer,
  memoryStorage,
} from '../../src/index.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/password/index.js';
import { fakeClock } from '../../src/testing/index.js';

let cheap: Promise<PasswordHasher> | undefined;
/** A real argon2id hasher at tiny cost: these tests are about tokens, not hashing. */
export const cheapHasher = () => {
  cheap ??= createPasswordHasher({ backend: 'inline', params: { memoryKiB: 1024, iterations: 1 } });
  return cheap;
};

export const T0 = Date.UTC(2026, 0, 1);
export const SECRET = 'access-token-tests-secret-0123456789';
export const OTHER_SECRET = 'another-secret-for-rotation-tests-0123';
export const ORIGIN = 'https://app.example.com';
export const PASSWORD = 'violet tangerine orbit';
export const CTX = { ip: '203.0.113.9', userAgent: 'vitest/4 (access tokens)' };

/** An Auth of the jwt strategy on memory storage, with a fake clock and captured events and logs. */
export async function setup(over: Partial<AuthConfig> = {}) {
  const clock = fakeClock(T0);
  const storage = over.storage ?? memoryStorage();
  const events: AuthEvent[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string, fields?: object) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const config: AuthConfig = {
    storage,
    mailer: memoryMailer({ appUrl: ORIGIN }),
    appUrl: ORIGIN,
    secret: SECRET,
    clock,
    logger,
    onEvent: (e) => {
      events.push(e);
    },
    emailVerification: { required: false },
    password: { hasher: await cheapHasher() },
    ...over,
    session: { strategy: 'jwt', ...over.session },
  };
  const auth = createAuth(config);
  let users = 0;
  /** Registers a user and signs in; resolves to the jwt-strategy tokens and ids. */
  const signIn = async (email = `user${++users}@example.com`) => {
    await auth.register({ email, password: PASSWORD }, CTX);
    const result = await auth.login({ identifier: email, password: PASSWORD }, CTX);
    if (result.status !== 'signed_in' || result.tokens.strategy !== 'jwt') {
      throw new Error('expected a jwt-strategy sign-in');
    }
    return { ...result.tokens, userId: result.user.id, sessionId: result.session.id };
  };
  return { auth, clock, storage, events, logs, signIn, config };
}

/** The HS256 key Portcullis derives from `secret`, and its kid: what an insider could sign with. */
export function hsKey(secret = SECRET): { key: Uint8Array; kid: string } {
  const keyring = new Keyring([secret]);
  return { key: keyring.deriveKey('jwt-hs256'), kid: keyring.currentKeyId };
}

/** base64url of a JSON value (or of a raw string when given one). */
export const b64 = (value: unknown) =>
  toBase64Url(new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)));

/** A compact JWS signed with HMAC-SHA256 under `key`, whatever the header says. */
export function signHs256(key: Uint8Array, header: object, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${toBase64Url(hmacSha256(key, input))}`;
}

/** Decodes the header and payload of a compact JWT (no verification). */
export function decode(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = token.split('.');
  const json = (s: string | undefined) =>
    JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8'));
  return { header: json(h), payload: json(p) };
}

/** Valid claims for `now` (seconds), to be varied by a test. */
export function claimsAt(nowSeconds: number, over: Record<string, unknown> = {}) {
  return {
    sub: 'user-1',
    sid: 'session-1',
    iat: nowSeconds,
    exp: nowSeconds + 900,
    jti: 'jti-1',
    iss: ORIGIN,
    aud: ORIGIN,
    amr: ['pwd'],
    ...over,
  };
}

/** A token signed with the instance's real HS256 key: isolates one claim or header check. */
export function insider(
  header: Record<string, unknown> = {},
  claims: Record<string, unknown> = {},
) {
  const { key, kid } = hsKey();
  return signHs256(
    key,
    { alg: 'HS256', typ: 'at+jwt', kid, ...header },
    claimsAt(T0 / 1000, claims),
  );
}
