import { generationOf } from '../credentials/generation.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { stateError } from '../two-factor/input.js';
import { requireStepUp, secondFactorFresh } from './reauthenticate.js';
import { assertReauthSecondFactor } from './step-up.js';

/**
 * Whether the user can sign in without any linked account or passkey: a password, or (with
 * magic links on) a verified address.
 */
export function signsInWithoutDevices(rt: AuthRuntime, user: UserRecord): boolean {
  return (
    user.passwordHash !== undefined ||
    (rt.config.magicLink !== undefined && user.emailVerifiedAt !== undefined)
  );
}

/** Every way the user has to sign in, counted across the stores. */
async function waysIn(rt: AuthRuntime, userId: string): Promise<number> {
  const user = await rt.storage.users.getById(userId);
  if (user === undefined) return 0;
  if (signsInWithoutDevices(rt, user)) return 1;
  const [accounts, passkeys] = await Promise.all([
    rt.storage.accounts.listByUser(userId),
    rt.storage.passkeys.listByUser(userId),
  ]);
  return accounts.length + passkeys.length;
}

/** The refusal of removing the last way to sign in. */
export function lastWayIn(path: string): AuthError {
  return stateError(
    path,
    'This is your only way to sign in. Set a password, add a passkey or link an account first.',
  );
}

/**
 * Removes a linked account or a passkey unless it is the user's last way to sign in (a
 * password, a verified address with magic links on, a linked account, a passkey). Within one
 * store the refusal is atomic (`keepOne`). Across stores (the last passkey and the last linked
 * account removed at once) each removal looks again after its delete and puts the record back
 * when nothing is left: the removal that comes last always sees the other, so one way in stays.
 * @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED` (the last way in)
 */
export async function removeWayIn<R extends { readonly id: string }>(
  rt: AuthRuntime,
  user: UserRecord,
  store: {
    get(id: string): Promise<(R & { readonly userId: string }) | undefined>;
    delete(
      id: string,
      options: { readonly userId: string; readonly keepOne: boolean },
    ): Promise<'deleted' | 'not_found' | 'last'>;
    create(record: R): Promise<'created' | 'conflict'>;
  },
  id: string,
  others: () => Promise<number>,
): Promise<R> {
  const record = await store.get(id);
  if (record === undefined || record.userId !== user.id) throw new AuthError('NOT_FOUND');
  const keepOne = !signsInWithoutDevices(rt, user) && (await others()) === 0;
  const result = await store.delete(id, { userId: user.id, keepOne });
  if (result === 'not_found') throw new AuthError('NOT_FOUND');
  if (result === 'last') throw lastWayIn('id');
  if (!keepOne && (await waysIn(rt, user.id)) === 0) {
    // Put it back, unless the account went or its credentials changed meanwhile (a deleted
    // account must not keep a passkey; a claim dropped every method on purpose).
    const now = await rt.storage.users.getById(user.id);
    if (now !== undefined && generationOf(now) === generationOf(user)) {
      await store.create(record);
      throw lastWayIn('id');
    }
  }
  return record;
}

/**
 * The proof that adding (or removing) a way to sign in needs: a fresh session (or the password
 * in the request) and, for a user with 2FA on, a second factor proven in the session within
 * `session.freshForSeconds` or a code in the request (the factor rule). The address must be
 * verified: a method added to an account whose address was never proven could be a
 * pre-hijacker's (docs/security.md). Resolves to the user as stored.
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`,
 * `EMAIL_NOT_VERIFIED`, `VALIDATION_FAILED`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function requireMethodChangeProof(
  rt: AuthRuntime,
  input: {
    userId: string;
    sessionId: string;
    password?: string | undefined;
    code?: string | undefined;
    method?: 'totp' | 'recovery' | undefined;
  },
  context: RequestContext,
): Promise<UserRecord> {
  const user = await requireStepUp(
    rt,
    'fresh',
    { userId: input.userId, sessionId: input.sessionId, password: input.password },
    context,
  );
  if (user.emailVerifiedAt === undefined) throw new AuthError('EMAIL_NOT_VERIFIED');
  if (user.totp !== undefined) {
    if (input.code !== undefined) {
      await assertReauthSecondFactor(
        rt,
        user,
        { code: input.code, method: input.method, sessionId: input.sessionId },
        context,
      );
    } else {
      const session = await rt.storage.sessions.get(input.sessionId, rt.now());
      if (!secondFactorFresh(rt, session, rt.now())) throw new AuthError('REAUTH_REQUIRED');
    }
  }
  return user;
}
