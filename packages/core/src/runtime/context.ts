import { type ResolvedConfig, resolveConfig } from '../config/resolve.js';
import type { AuthConfig } from '../config/types.js';
import { Keyring } from '../crypto/keyring.js';
import { createEmitter, type EmitEvent } from '../events/emit.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { renderMail } from '../mail/render.js';
import type { MailData, MailKind } from '../mail/types.js';
import { createPasswordHasher, type PasswordHasher } from '../password/hasher.js';
import { defaultLegacyConcurrency, LegacyQueue } from '../password/legacy-queue.js';
import { createPasswordVerifier, type PasswordVerifier } from '../password/verifier.js';
import type { PasswordVerification } from '../password/verify.js';
import { guardStorage } from '../storage/guard.js';
import type { Storage } from '../storage/types.js';

/**
 * Everything the flows share: the resolved configuration, the guarded stores, keys, the
 * password hasher, the event emitter and the mail sender. Internal to core.
 */
export interface AuthRuntime {
  readonly config: ResolvedConfig;
  /** The stores, wrapped so that a driver error surfaces as `STORAGE_UNAVAILABLE`. */
  readonly storage: Storage;
  readonly keyring: Keyring;
  /** Current time, epoch ms, from the configured clock. */
  now(): number;
  /** The password hasher, chosen on first use. */
  hasher(): Promise<PasswordHasher>;
  /**
   * Verifies a password against a stored hash of any format, legacy work bounded by
   * `password.legacyQueue` and, with `password.legacyHashes`, as much work for every account.
   * @throws AuthError `RATE_LIMITED` when the legacy queue is full.
   */
  verifyPassword(password: string, storedHash: string): Promise<PasswordVerification>;
  /**
   * Spends the work of a wrong password for nothing (unknown users: equal work).
   * @throws AuthError `RATE_LIMITED` when `legacyHashes` is set and the legacy queue is full.
   */
  dummyVerify(password: string): Promise<void>;
  /** Emits an event to listeners and the audit store. */
  readonly emit: EmitEvent;
  /**
   * Renders and sends one mail. A failed send is logged and emitted as `mail.failed`; it
   * never fails the flow, whose answer must not depend on whether mail went out.
   */
  sendMail<K extends MailKind>(
    kind: K,
    to: string,
    data: MailData[K],
    meta: {
      userId?: string | undefined;
      context?: RequestContext;
      /**
       * Do not wait for the provider. For answers that must not depend on whether an account
       * exists (register, resend, reset and email-change requests): the provider's latency
       * would otherwise tell a known address from an unknown one.
       */
      background?: boolean;
    },
  ): Promise<void>;
}

/** Builds the runtime of one Auth instance from its configuration. */
export function createRuntime(input: AuthConfig): AuthRuntime {
  const config = resolveConfig(input);
  const storage = guardStorage(config.storage);
  const now = () => config.clock.now();
  let hasher: Promise<PasswordHasher> | undefined;
  const getHasher = () => {
    hasher ??= (async () => {
      const h = config.password.hasher ?? (await createPasswordHasher({ random: config.random }));
      config.logger.info('password hasher ready', { backend: h.backend });
      return h;
    })();
    return hasher;
  };
  let verifier: Promise<PasswordVerifier> | undefined;
  const getVerifier = () => {
    verifier ??= (async () => {
      const { legacyHashes, legacyQueue } = config.password;
      const queue = new LegacyQueue({
        concurrency: legacyQueue.concurrency ?? (await defaultLegacyConcurrency()),
        maxWaiting: legacyQueue.maxWaiting,
      });
      return createPasswordVerifier({
        hasher: await getHasher(),
        legacyHashes,
        queue,
        random: config.random,
        // Once per instance: the hint matters, the repetition would not.
        onUncoveredLegacy: (format) =>
          config.logger.warn(
            legacyHashes === undefined
              ? 'legacy password hashes are verified without password.legacyHashes, so answer times reveal them'
              : 'a legacy password hash costs more than password.legacyHashes describes, so answer times reveal it',
            { format },
          ),
      });
    })();
    return verifier;
  };
  const emit = createEmitter({
    audit: storage.audit,
    listeners: config.onEvent,
    logger: config.logger,
    now,
  });
  const rt: AuthRuntime = {
    config,
    storage,
    keyring: new Keyring(config.secrets, { random: config.random }),
    now,
    hasher: getHasher,
    async verifyPassword(password, storedHash) {
      return (await getVerifier()).verify(password, storedHash);
    },
    async dummyVerify(password) {
      await (await getVerifier()).dummy(password);
    },
    emit,
    async sendMail(kind, to, data, meta) {
      const send = async () => {
        try {
          // One budget per inbox that every kind of mail shares (`mailPerRecipient`): however
          // requests are spread over routes, an address gets a few mails an hour at most. Over
          // it, the mail is dropped, logged and emitted; the flow's answer does not change.
          if (!(await withinMailBudget(config, storage, to, now()))) {
            config.logger.warn('mail dropped: recipient budget used up', { kind });
            await emit(
              {
                type: 'mail.failed',
                userId: meta.userId,
                data: { kind, reason: 'recipient_budget' },
              },
              meta.context ?? {},
            );
            return;
          }
          const mail = renderMail(kind, data, {});
          await config.mailer.send({ to, ...mail });
        } catch (error) {
          // The kind identifies the mail; its body holds a token and is never logged.
          config.logger.warn('mail failed', { kind, error: String(error) });
          await emit(
            { type: 'mail.failed', userId: meta.userId, data: { kind } },
            meta.context ?? {},
          );
        }
      };
      // Detached like the rest of the known-account work: a failure is logged, never an
      // unhandled rejection, and tests can wait for it (`settleBackgroundWork`).
      if (meta.background === true) await runInBackground(config.logger, `mail:${kind}`, send);
      else await send();
    },
  };
  return rt;
}

/**
 * Counts one mail to `to` under `mailPerRecipient` (key: the address lower-cased and trimmed)
 * and says whether it may go. Always true when the rule is off.
 */
async function withinMailBudget(
  config: ResolvedConfig,
  storage: Storage,
  to: string,
  now: number,
): Promise<boolean> {
  const rule = config.rateLimits.mailPerRecipient;
  if (rule === false) return true;
  try {
    const hit = await storage.rateLimits.hit(`mailPerRecipient:${to.trim().toLowerCase()}`, {
      limit: rule.limit,
      windowMs: rule.windowSeconds * 1000,
      now,
    });
    return hit.allowed;
  } catch (error) {
    // The counter's store is down: the mail goes (its token is already written, the user is
    // waiting for it); the requests that lead to mails have their own limits too (issue 16).
    config.logger.warn('mail budget unavailable, mail sent', { error: String(error) });
    return true;
  }
}
