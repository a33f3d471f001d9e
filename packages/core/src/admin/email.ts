import { changeCredentials } from '../credentials/change.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { sendVerificationMail } from '../link-tokens/verification-mail.js';
import type { AuthRuntime } from '../runtime/context.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { UserPatch, UserRecord } from '../storage/types/users.js';
import type { NormalizedEmail } from '../users/normalize.js';

/**
 * The error of an address that belongs to another user. Admins are not who enumeration
 * defences hide accounts from: the answer names the conflict (`409 CONFLICT`), as
 * `USERNAME_TAKEN` does for a username.
 */
export function emailTaken(): AuthError {
  return new AuthError('CONFLICT', { message: 'This email address belongs to another user.' });
}

/** Input of {@link changeEmailAsAdmin}. */
export interface AdminEmailChange {
  /** The user as read before the change. */
  readonly user: UserRecord;
  /** The new address, normalized; its `emailNormalized` differs from the user's. */
  readonly email: NormalizedEmail;
  /** Set verified now (`true`), or stored unverified with a verification link mailed to it. */
  readonly verified: boolean;
  /** The rest of the admin's change (names, roles, …), written in the same user write. */
  readonly patch: Omit<UserPatch, 'credentialGeneration' | 'updatedAt'>;
  /** The admin's own session, when they change their own address: it stays signed in. */
  readonly keepSessionId: string | undefined;
  readonly context: RequestContext;
}

/**
 * Moves a user to a new address for an admin, as a credential change (`changeCredentials`,
 * reason `email_changed`), which is what the user's own confirmed change is: the patch is
 * written with a new credential generation, every session of the user ends (but
 * `keepSessionId`), with trusted devices, reset, email-change and magic links mailed to the
 * old address, and sign-ins waiting for a second factor. The address is where every recovery
 * link goes: whoever could read the old mailbox, or held a session, must not keep a way in.
 * Then old verification links are deleted and, in the background, a verification link goes
 * to the new address (unless `verified`) and an `email-changed` notice to the old one.
 * @throws AuthError `CONFLICT` (the address belongs to another user), `USERNAME_TAKEN` (the
 * patch's username does), `NOT_FOUND` (the user is gone)
 */
export async function changeEmailAsAdmin(rt: AuthRuntime, change: AdminEmailChange): Promise<void> {
  const { user, email, context } = change;
  const owner = await rt.storage.users.getByEmail(email.emailNormalized);
  if (owner !== undefined && owner.id !== user.id) throw emailTaken();
  const now = rt.now();
  try {
    await changeCredentials(rt, {
      userId: user.id,
      patch: {
        ...change.patch,
        email: email.email,
        emailNormalized: email.emailNormalized,
        emailVerifiedAt: change.verified ? now : null,
      },
      reason: 'email_changed',
      keepSessionId: change.keepSessionId,
      failWith: 'CONFLICT',
      context,
    });
  } catch (error) {
    if (isAuthError(error) && error.code === 'CONFLICT') throw await whichConflict(rt, change);
    throw error;
  }
  // Written: from here a failure is logged, never the answer (the change stands).
  await rt.storage.tokens
    .deleteByUser(user.id, { purpose: TOKEN_PURPOSES.verifyEmail })
    .catch((error: unknown) => {
      rt.config.logger.warn('old verification links not deleted', { error: String(error) });
    });
  await rt.emit(
    { type: 'email.changed', userId: user.id, data: { byAdmin: true, verified: change.verified } },
    context,
  );
  await runInBackground(rt.config.logger, 'admin email change mails', async () => {
    const moved = await rt.storage.users.getById(user.id);
    // Changed again (or deleted) since: that change mails for itself.
    if (moved?.emailNormalized !== email.emailNormalized) return;
    if (!change.verified) await sendVerificationMail(rt, moved, context);
    await rt.sendMail(
      'email-changed',
      user.email,
      {
        appName: rt.config.appName,
        firstName: user.firstName,
        at: new Date(now),
        ip: context.ip,
        userAgent: context.userAgent,
        newEmail: email.email,
      },
      { userId: user.id, context },
    );
  });
}

/** Why the user row refused the change: the address, the username, or the user is gone. */
async function whichConflict(rt: AuthRuntime, change: AdminEmailChange): Promise<AuthError> {
  const owner = await rt.storage.users.getByEmail(change.email.emailNormalized);
  if (owner !== undefined && owner.id !== change.user.id) return emailTaken();
  if ((await rt.storage.users.getById(change.user.id)) === undefined) {
    return new AuthError('NOT_FOUND');
  }
  return new AuthError('USERNAME_TAKEN');
}
