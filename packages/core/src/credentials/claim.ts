import type { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { changeCredentials } from './change.js';
import { dropUnprovenFactors, UNPROVEN_FACTORS_PATCH } from './unproven.js';

/** Options of {@link claimUnverified}. */
export interface ClaimOptions {
  /** The request that proved the mailbox (for the events). */
  readonly context: RequestContext;
  /**
   * The error of the calling flow when the claim cannot be written or the account is gone
   * afterwards (`OAUTH_FAILED` for a social sign-in, `TOKEN_INVALID` for a magic link). Its
   * `code` is also the credential change's `failWith`.
   */
  readonly failWith: () => AuthError;
}

/**
 * The mailbox of an account whose own address was never verified has just been proven (a
 * trusted provider vouched for it, or its owner followed a magic link): whoever registered the
 * account may have been someone else (account pre-hijacking). In one credential change
 * (`changeCredentials`, reason `email_claimed`): the password is removed, every session and
 * trusted device ends, the identities linked before, passkeys, recovery codes and the unproven
 * second factor (TOTP, phone) are dropped (`dropUnprovenFactors`), and the address is marked
 * verified. Resolves to the user as now stored.
 * @throws AuthError the code of `options.failWith()` when the change cannot be written (the
 * user is gone), or that error itself when the user is gone after it
 */
export async function claimUnverified(
  rt: AuthRuntime,
  user: UserRecord,
  options: ClaimOptions,
): Promise<UserRecord> {
  await changeCredentials(rt, {
    userId: user.id,
    patch: { passwordHash: null, emailVerifiedAt: rt.now(), ...UNPROVEN_FACTORS_PATCH },
    reason: 'email_claimed',
    before: (storage) => dropUnprovenFactors(storage, user.id),
    failWith: options.failWith().code,
    context: options.context,
  });
  const stored = await rt.storage.users.getById(user.id);
  if (stored === undefined) throw options.failWith();
  return stored;
}
