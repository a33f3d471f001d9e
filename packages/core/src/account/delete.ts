import * as v from 'valibot';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
import type { StepUp } from '../sign-in/types.js';
import type { Storage } from '../storage/types.js';

/** The input schema (also the source of the OpenAPI document's request body). */
export const deleteAccountSchema = v.object({
  userId: text('userId', 256),
  // Optional only for an account without a password (a fresh session stands in for it).
  password: v.optional(passwordField('password')),
  ...stepUpFields,
});

/** Input of {@link deleteAccount}. */
export interface DeleteAccountInput extends StepUp {
  /** The signed-in user. */
  userId: string;
  /** The current password (required unless the account has none: a fresh session then). */
  password?: string | undefined;
}

/**
 * Deletes a user and everything tied to them, in one transaction when the storage has them:
 * sessions first (nobody stays signed in to a dying account), one-time tokens, recovery codes
 * and trusted devices, audit events, linked provider accounts, passkeys, then the user row last
 * (a failure halfway leaves an account that can still be deleted, never orphans that outlive it).
 */
export async function eraseUser(rt: AuthRuntime, userId: string): Promise<void> {
  const steps = async (storage: Storage): Promise<void> => {
    await storage.sessions.deleteByUser(userId);
    await storage.tokens.deleteByUser(userId);
    await storage.twoFactor.deleteByUser(userId);
    await storage.audit.deleteByUser(userId);
    await storage.accounts.deleteByUser(userId);
    await storage.passkeys.deleteByUser(userId);
    await storage.users.delete(userId);
  };
  await (rt.storage.transaction ? rt.storage.transaction(steps) : steps(rt.storage));
}

/**
 * Deletes a signed-in user's account and everything tied to it: sessions, one-time tokens,
 * recovery codes and trusted devices, audit events, linked provider accounts, passkeys, then the
 * user row last (so a failure halfway leaves an account that can still be deleted, never orphans
 * that outlive it). Runs in one transaction when the storage has them. `user.deleted` then reaches `onEvent`
 * listeners only, since the audit trail is gone.
 *
 * @throws AuthError `VALIDATION_FAILED`, `UNAUTHENTICATED` (the user no longer exists),
 * `REAUTH_REQUIRED` (2FA on, no code and no second-factor-fresh session), `PASSWORD_INCORRECT`,
 * `CODE_INVALID`, `RATE_LIMITED`.
 */
export async function deleteAccount(
  rt: AuthRuntime,
  input: DeleteAccountInput,
  context: RequestContext,
): Promise<void> {
  const { userId, password, sessionId, code, method } = parseInput(deleteAccountSchema, input);
  await requireStepUp(rt, 'factor', { userId, sessionId, code, method, password }, context);
  await eraseUser(rt, userId);
  // Listeners only: the audit trail was deleted with the account.
  await rt.emit({ type: 'user.deleted', userId, audit: false }, context);
}
