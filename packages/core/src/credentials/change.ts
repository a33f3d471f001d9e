import { AuthError, type AuthErrorCode } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { UserPatch } from '../storage/types/users.js';
import type { Storage } from '../storage/types.js';
import { newCredentialGeneration } from './generation.js';

/** Why the credentials changed; the `reason` of the `session.revoked_all` event. */
export type CredentialChangeReason =
  | 'password_changed'
  | 'password_reset'
  | 'two_factor_disabled'
  | 'email_changed'
  /**
   * A trusted provider, or a magic link, proved the address of an account whose address was
   * never verified.
   */
  | 'email_claimed';

/**
 * Tokens that a credential change ends: links (reset, email change, magic links and their
 * codes) and sign-ins opened under the old credentials.
 */
const ENDED_PURPOSES = [
  TOKEN_PURPOSES.passwordReset,
  TOKEN_PURPOSES.emailChange,
  TOKEN_PURPOSES.twoFactorChallenge,
  TOKEN_PURPOSES.twoFactorEmailCode,
  TOKEN_PURPOSES.twoFactorSmsCode,
  // A magic link mailed under the old credentials, and its code: both carry the user's id
  // (requests for an address without an account carry none, and have nothing to end here).
  TOKEN_PURPOSES.magicLink,
  TOKEN_PURPOSES.magicLinkCode,
] as const;

/** Input of {@link changeCredentials}. */
export interface CredentialChange {
  readonly userId: string;
  /** The change itself (a new hash, no TOTP, a new address); `updatedAt` is added. */
  readonly patch: Omit<UserPatch, 'credentialGeneration' | 'updatedAt'>;
  readonly reason: CredentialChangeReason;
  /**
   * The session that made the change: it moves to the new generation in the same transaction
   * and stays signed in. Absent (a reset, a change made without a session): every session ends.
   */
  readonly keepSessionId?: string | undefined;
  /** Steps that belong to the same transaction, run first (a reset consumes its token). */
  readonly before?: (storage: Storage) => Promise<void>;
  /** The error when the user row cannot take the patch (gone, or a conflict). */
  readonly failWith: AuthErrorCode;
  readonly context: RequestContext;
}

/**
 * The one routine that decides what a credential change ends; every flow that changes a
 * credential calls it (password change and reset, 2FA disable, email change, the claim of an
 * unverified address).
 *
 * The patch is written with a new credential generation in one user write (in one transaction
 * with `before`, the revocations and the move of the kept session, when the storage has
 * transactions). Before the write, in the architecture's safe order, the other sessions, every
 * trusted device, reset, email-change and magic links (with their codes) and sign-ins waiting
 * for their second factor (with their codes) are deleted. From the write on, every session,
 * refresh-token family, trusted device and pending challenge or link opened under the old
 * generation is refused wherever it is presented (validation reads the user anyway),
 * including sign-ins that read the old password before the write and create their session
 * after it; after the commit the same deletions run again to collect those.
 * @throws AuthError `failWith` when the user row was not updated
 */
export async function changeCredentials(rt: AuthRuntime, change: CredentialChange): Promise<void> {
  const { userId, keepSessionId, context } = change;
  const now = rt.now();
  const credentialGeneration = newCredentialGeneration(rt.config.random);
  const endDependents = async (storage: Storage): Promise<void> => {
    await storage.sessions.deleteByUser(
      userId,
      keepSessionId === undefined ? {} : { exceptId: keepSessionId },
    );
    await storage.twoFactor.deleteAllTrustedDevices(userId);
    for (const purpose of ENDED_PURPOSES) await storage.tokens.deleteByUser(userId, { purpose });
  };
  const write = async (storage: Storage): Promise<void> => {
    await change.before?.(storage);
    const kept =
      keepSessionId === undefined ? undefined : await storage.sessions.get(keepSessionId, now);
    // Revoke before writing (the safe order): a store without transactions that fails in
    // between leaves the old credentials and fewer sessions, never the new ones with an
    // intruder still signed in.
    await endDependents(storage);
    const result = await storage.users.update(userId, {
      ...change.patch,
      credentialGeneration,
      updatedAt: now,
    });
    if (result !== 'updated') throw new AuthError(change.failWith);
    if (kept !== undefined && kept.userId === userId) {
      await storage.sessions.markFresh(kept.id, {
        freshUntil: kept.freshUntil,
        credentialGeneration,
        now,
      });
    }
  };
  await (rt.storage.transaction ? rt.storage.transaction(write) : write(rt.storage));
  // Again after the commit: sessions, devices and challenges that sign-ins in flight created
  // meanwhile. They are dead already (their generation is the old one); this only collects them,
  // so a store failure here is logged and does not fail a change that is written (callers rely
  // on it: a failure of this function means nothing was committed).
  await endDependents(rt.storage).catch((error: unknown) => {
    rt.config.logger.warn('dead sessions not collected after a credential change', {
      userId,
      error: String(error),
    });
  });
  await rt.emit(
    {
      type: 'session.revoked_all',
      userId,
      sessionId: keepSessionId,
      data: { reason: change.reason, keptCurrent: keepSessionId !== undefined },
    },
    context,
  );
}
