import {
  type AuthConfig,
  type AuthEvent,
  createAuth,
  type Logger,
  memoryMailer,
  memoryStorage,
} from '../../src/index.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/password/index.js';
import { createRuntime } from '../../src/runtime/context.js';
import { fakeClock } from '../../src/testing/index.js';

/** A cheap but real argon2id hasher for flow tests (the hasher's own tests use full cost). */
let cheap: Promise<PasswordHasher> | undefined;
export const cheapHasher = () => {
  cheap ??= createPasswordHasher({ backend: 'inline', params: { memoryKiB: 1024, iterations: 1 } });
  return cheap;
};

/**
 * The cheap hasher, counting what it does: `hashed()` new hashes, `verified()` verifications
 * (for tests of equal work and of attempts checked before a throttle).
 */
export async function countingHasher(): Promise<{
  hasher: PasswordHasher;
  hashed: () => number;
  verified: () => number;
}> {
  const inner = await cheapHasher();
  let hashes = 0;
  let verifications = 0;
  const hasher: PasswordHasher = {
    backend: inner.backend,
    hash: (password) => {
      hashes++;
      return inner.hash(password);
    },
    verify: (password, phc) => {
      verifications++;
      return inner.verify(password, phc);
    },
    needsRehash: (phc) => inner.needsRehash(phc),
    kdf: inner.kdf,
    close: () => inner.close(),
  };
  return { hasher, hashed: () => hashes, verified: () => verifications };
}

export const T0 = Date.UTC(2026, 0, 1);
export const PASSWORD = 'violet tangerine orbit';
export const CTX = { ip: '203.0.113.7', userAgent: 'vitest/4 (flows)' };

/** A fresh Auth on memory storage with a fake clock, an inbox, and captured events and logs. */
export async function setup(over: Partial<AuthConfig> = {}) {
  const clock = fakeClock(T0);
  const mailer = memoryMailer({ appUrl: 'https://app.example.com' });
  const storage = memoryStorage();
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
    mailer,
    appUrl: 'https://app.example.com',
    secret: 'flow-tests-secret-0123456789abcdef',
    clock,
    logger,
    onEvent: (e) => {
      events.push(e);
    },
    password: { hasher: await cheapHasher() },
    ...over,
  };
  const auth = createAuth(config);
  /**
   * Core's internals over the same stores, clock and keys, for tests of a single rule (the
   * `Auth` object exposes no runtime: it is the only door).
   */
  const rt = createRuntime(config);
  /** Registers and verifies a user; resolves to their id. */
  const signUp = async (email: string, extra: { username?: string } = {}) => {
    await auth.register({ email, password: PASSWORD, ...extra }, CTX);
    const token = mailer.extractToken(mailer.find(email, 'verify-email') ?? fail('no mail'));
    const { user } = await auth.verifyEmail(token ?? fail('no token'), CTX);
    return user.id;
  };
  return { auth, rt, clock, mailer, storage, events, logs, signUp };
}

export function fail(message: string): never {
  throw new Error(message);
}
