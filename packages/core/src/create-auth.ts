import { type ResolvedConfig, resolveConfig } from './config/resolve.js';
import type { AuthConfig } from './config/types.js';
import { Keyring } from './crypto/keyring.js';
import { createDummyVerifier } from './password/dummy.js';
import { createPasswordHasher, type PasswordHasher } from './password/hasher.js';
import { checkPassword, type PasswordPolicyResult } from './password/policy.js';
import { hashPassword, type PasswordVerification, verifyPassword } from './password/verify.js';
import { guardStorage } from './storage/guard.js';
import type { Storage } from './storage/types.js';

/** The configuration as `createAuth` resolved it, without the secrets. */
export type AuthOptions = Omit<ResolvedConfig, 'secrets' | 'storage' | 'mailer'>;

/** What {@link createAuth} returns. The account and session flows build on it. */
export interface Auth {
  /** The resolved configuration (every default applied), without secrets. */
  readonly options: AuthOptions;
  /** The stores, wrapped so that any driver error surfaces as `STORAGE_UNAVAILABLE`. */
  readonly storage: Storage;
  /**
   * Resolves once the password hasher is chosen, and says which backend runs argon2id
   * (`'native'`, `'pool'` or `'inline'`). Logged at `info` on first use.
   */
  ready(): Promise<{ passwordBackend: string }>;
  /** Hashes a new password with the configured hasher (after NFKC). */
  hashPassword(password: string): Promise<string>;
  /** Verifies a password against a stored hash of any supported format. */
  verifyPassword(password: string, storedHash: string): Promise<PasswordVerification>;
  /** Checks a new password against the configured policy (length, blocklist, context words). */
  checkPassword(
    password: string,
    context?: { email?: string; username?: string; firstName?: string; lastName?: string },
  ): PasswordPolicyResult;
  /** Stops worker threads. Call it when the process shuts down (tests, graceful exits). */
  close(): Promise<void>;
}

/** @internal Everything the flows need, shared by the modules of core. */
export interface AuthRuntime {
  readonly config: ResolvedConfig;
  readonly storage: Storage;
  readonly keyring: Keyring;
  hasher(): Promise<PasswordHasher>;
  dummyVerify(password: string): Promise<void>;
}

/**
 * Creates an Auth instance from a configuration.
 *
 * @throws AuthError `CONFIG_INVALID` naming each wrong field; in production (`NODE_ENV=production`
 * or `production: true`) also when the secret is missing or shorter than 32 bytes.
 *
 * @example
 * ```ts
 * const auth = createAuth({
 *   storage: memoryStorage(),
 *   mailer: consoleMailer(),
 *   secret: process.env.AUTH_SECRET,
 *   appUrl: 'http://localhost:3000',
 * })
 * ```
 */
export function createAuth(config: AuthConfig): Auth {
  const runtime = createRuntime(config);
  const { config: resolved } = runtime;
  const { secrets: _s, storage: _st, mailer: _m, ...options } = resolved;
  return {
    options,
    storage: runtime.storage,
    async ready() {
      return { passwordBackend: (await runtime.hasher()).backend };
    },
    async hashPassword(password) {
      return hashPassword(password, { hasher: await runtime.hasher() });
    },
    async verifyPassword(password, storedHash) {
      return verifyPassword(password, storedHash, { hasher: await runtime.hasher() });
    },
    checkPassword(password, context = {}) {
      return checkPassword(password, {
        minLength: resolved.password.minLength,
        maxLength: resolved.password.maxLength,
        blocklist: resolved.password.blocklist,
        extraBlockedWords: resolved.password.extraBlockedWords,
        appName: resolved.appName,
        context,
      });
    },
    async close() {
      await (await runtime.hasher()).close();
    },
  };
}

function createRuntime(config: AuthConfig): AuthRuntime {
  const resolved = resolveConfig(config);
  let hasher: Promise<PasswordHasher> | undefined;
  const getHasher = () => {
    hasher ??= (async () => {
      const h =
        resolved.password.hasher ?? (await createPasswordHasher({ random: resolved.random }));
      resolved.logger.info('password hasher ready', { backend: h.backend });
      return h;
    })();
    return hasher;
  };
  let dummy: ((password: string) => Promise<void>) | undefined;
  return {
    config: resolved,
    storage: guardStorage(resolved.storage),
    keyring: new Keyring(resolved.secrets, { random: resolved.random }),
    hasher: getHasher,
    async dummyVerify(password) {
      dummy ??= createDummyVerifier(await getHasher());
      await dummy(password);
    },
  };
}
