import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { sameGeneration, tokenGeneration } from '../credentials/generation.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { compensate } from '../flows/compensate.js';
import { parseInput } from '../flows/input.js';
import { isServerFailure } from '../link-tokens/link-token.js';
import type { AuthRuntime } from '../runtime/context.js';
import { discardSession } from '../sessions/create.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';
import {
  challengeAmr,
  challengeExcludes,
  consumeChallenge,
  excludedMethodError,
  openChallenge,
  reserveChallengeCheck,
} from '../two-factor/challenge.js';
import { checkCode } from '../two-factor/check-code.js';
import {
  emailFactorPaused,
  emailPausedError,
  resumeEmailFactor,
} from '../two-factor/email-pause.js';
import {
  assertSecondFactorNotLocked,
  checkReserved,
  reserveSecondFactorCheck,
  secondFactorFailed,
  secondFactorSucceeded,
} from '../two-factor/failure.js';
import { verifySchema } from '../two-factor/input.js';
import { recoveryCodesLeft } from '../two-factor/methods.js';
import { checkPasskeyFactor } from '../two-factor/passkey-check.js';
import { METHOD_AMR, PURPOSE } from '../two-factor/purposes.js';
import { trustDevice } from '../two-factor/trusted-devices.js';
import { createSignInSession, settleSession, signedIn } from './complete.js';
import type { SecondFactorResult, VerifySecondFactorInput } from './types.js';

/**
 * Completes a sign-in with its second factor.
 *
 * Order, and why: the challenge is opened (not used); the account lock is checked, so a locked
 * account gets `RATE_LIMITED` even with the right code (and uses up nothing); `email` is
 * refused while a password reset pauses it, and for a challenge that excludes it (a magic-link
 * sign-in, whose first factor was the mailbox) (`VALIDATION_FAILED`, nothing counted: the
 * mailbox alone must not pass the second factor). Then the check is reserved BEFORE the code is
 * checked, on the challenge (`TOKEN_INVALID` once its `challengeMaxAttempts` checks are used)
 * and on the account (`secondFactorPerAccount`, `RATE_LIMITED` when used up), so concurrent
 * verifications cannot pass either limit. The code is checked without side effects (email and
 * SMS codes are used up by their check); only then is the challenge used up, in one
 * compare-and-delete, so of concurrent verifications exactly one goes on; then the session is
 * made; last, the use of the code is committed (TOTP step advanced, recovery code marked),
 * which refuses a concurrent replay. A store failure in those last two deletes the session and
 * puts the challenge back, so the retry works (issue 16); what follows (dropping the codes, the
 * counters, events, the trusted device) never fails the answer. A wrong code kills the challenge when it was its last check and locks the second
 * factor when its reservation reached the account's limit. A success forgets the account's
 * failures, and one with another method than `email` ends a pause of `email`.
 * @throws AuthError `VALIDATION_FAILED`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `CODE_INVALID`,
 * `RATE_LIMITED`, `ACCOUNT_DISABLED`
 */
export async function verifySecondFactor(
  rt: AuthRuntime,
  input: VerifySecondFactorInput,
  context: RequestContext,
): Promise<SecondFactorResult> {
  const { challenge, method, code, response, rememberDevice } = parseInput(verifySchema, input);
  // A passkey answers with its assertion, every other method with a code.
  if (method === 'passkey' ? response === undefined : code === undefined) {
    const path = method === 'passkey' ? 'response' : 'code';
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path, message: `${path} is required` }],
    });
  }
  const open = await openChallenge(rt, challenge, context.challengeBinding);
  const owner = open.record.userId;
  // A challenge of no user (userId absent) reads like one whose account is gone.
  const user = owner === undefined ? undefined : await rt.storage.users.getById(owner);
  // The generation the password was checked against when the challenge was issued.
  const challenged = tokenGeneration(open.record);
  if (!user?.totp || !sameGeneration(challenged, user)) {
    // The account is gone, 2FA was turned off or a credential changed meanwhile (a new
    // password, a reset): the challenge means nothing now.
    await rt.storage.tokens.delete(PURPOSE.challenge, open.selector);
    throw new AuthError('TOKEN_INVALID');
  }
  if (user.disabled) throw new AuthError('ACCOUNT_DISABLED');
  await assertSecondFactorNotLocked(rt, user.id);
  // A method the challenge excludes (`email` after a magic link: the mailbox was the first
  // factor) is refused like a paused one, before anything is counted.
  if (challengeExcludes(open.record, method)) throw excludedMethodError(method);
  if (method === 'email' && (await emailFactorPaused(rt, user.id))) throw emailPausedError();

  const checksLeft = await reserveChallengeCheck(rt, open.selector);
  const reservation = await reserveSecondFactorCheck(rt, user.id);
  const failed = (reason: 'code_invalid' | 'replayed') =>
    secondFactorFailed(
      rt,
      {
        userId: user.id,
        method,
        reason,
        via: 'login',
        reservation,
        challenge: { selector: open.selector, checksLeft },
      },
      context,
    );
  const check = await checkReserved(rt, user.id, reservation, () =>
    method === 'passkey'
      ? checkPasskeyFactor(
          rt,
          user,
          response as unknown as AuthenticationResponseJSON,
          challenge,
          context,
        )
      : checkCode(
          rt,
          user,
          { method, code: code as string },
          { challengeSelector: open.selector, ownLostUse: pendingUse(open.record) },
        ),
  );
  if (!check.valid) throw await failed('code_invalid');
  // Issue 16: a store failure must leave the challenge and the code usable for the retry, and
  // no session behind. So: the challenge is used up (one compare-and-delete: of concurrent
  // verifications, one gets through), the session written (and nothing else yet), then the
  // code's use committed; a failure at any of the three deletes the session and puts the
  // challenge back, with the checks it had used. A write whose reply was lost may have
  // happened: a use-up that did happen is undone by the put-back (had a concurrent request won
  // it instead, its holder could sign in once more, with the password already proven and a
  // fresh code: nothing it could not do anyway); a code's use that did happen is remembered in
  // the put-back challenge, so the retry through it accepts that same use as its own.
  const used: OneTimeTokenRecord = {
    ...open.record,
    attempts: rt.config.twoFactor.challengeMaxAttempts + 1 - checksLeft,
  };
  try {
    await consumeChallenge(rt, open);
  } catch (error) {
    if (isServerFailure(error)) {
      await restoreChallenge(rt, used);
      await forgetFailures(rt, user.id);
    }
    throw error;
  }
  const options = {
    // The first factor the challenge recorded (`pwd`, `fed`, `email`), then this one.
    amr: [...challengeAmr(open.record), METHOD_AMR[method]],
    context,
    secondFactorAt: rt.now(),
    // Under the challenge's generation: a change written since the check above ends it too.
    credentialGeneration: challenged.credentialGeneration,
  };
  let created: Awaited<ReturnType<typeof createSignInSession>>;
  try {
    created = await createSignInSession(rt, user, options);
  } catch (error) {
    await restoreChallenge(rt, used);
    await forgetFailures(rt, user.id);
    throw error;
  }
  let committed: boolean;
  try {
    committed = await check.commit();
  } catch (error) {
    await discardSession(rt, created.record, context);
    await restoreChallenge(
      rt,
      isServerFailure(error)
        ? { ...used, payload: { ...used.payload, [PENDING_USE]: check.use } }
        : used,
    );
    await forgetFailures(rt, user.id);
    throw error;
  }
  // The retry of a verification whose commit failed on the server's side: the use it finds
  // taken is this challenge's own lost write.
  if (!committed && pendingUse(open.record) === check.use) committed = true;
  if (!committed) {
    // A replay: the session goes before anything else happened for it (no other session was
    // ended, no `login.succeeded`).
    await discardSession(rt, created.record, context);
    throw await failed('replayed');
  }
  // The sign-in stands: nothing below fails its answer (each step is logged if it fails).
  await settleSession(rt, user, created, options);
  const result = signedIn(rt, user, created);
  const sessionId = result.session.id;
  // Codes bound to the challenge are worthless now; drop them rather than wait for expiry.
  await afterSignIn(rt, 'email code drop', () =>
    rt.storage.tokens.delete(PURPOSE.emailCode, open.selector),
  );
  await afterSignIn(rt, 'SMS code drop', () =>
    rt.storage.tokens.delete(PURPOSE.smsCode, open.selector),
  );
  await afterSignIn(rt, 'second-factor failures reset', () => secondFactorSucceeded(rt, user.id));
  if (method !== 'email') {
    await afterSignIn(rt, 'email factor resume', () => resumeEmailFactor(rt, user.id));
  }
  await rt.emit({ type: '2fa.succeeded', userId: user.id, sessionId, data: { method } }, context);
  if (method === 'recovery') {
    const remaining = await recoveryCodesLeft(rt, user.id).catch(() => undefined);
    await rt.emit(
      {
        type: 'recovery_code.used',
        userId: user.id,
        sessionId,
        ...(remaining === undefined ? {} : { data: { remaining } }),
      },
      context,
    );
  }
  if (rememberDevice !== true) return result;
  let device: Awaited<ReturnType<typeof trustDevice>> | undefined;
  await afterSignIn(rt, 'trusted device', async () => {
    device = await trustDevice(rt, { id: user.id, ...challenged }, context);
  });
  // Without the device the sign-in still stands; the next sign-in asks for a code again.
  if (device === undefined) return result;
  return { ...result, trustedDevice: { token: device.token, expiresAt: device.expiresAt } };
}

/**
 * The payload key of a put-back challenge that names the code use (`CodeCheck.use`) whose
 * commit failed on the server's side, and may have been written.
 */
const PENDING_USE = 'pendingUse';

/** The code use a put-back challenge remembers (see {@link PENDING_USE}), if any. */
function pendingUse(record: OneTimeTokenRecord): string | undefined {
  const use = record.payload?.[PENDING_USE];
  return typeof use === 'string' ? use : undefined;
}

/** Puts a used-up challenge back (best effort) when the sign-in it led to did not go through. */
async function restoreChallenge(rt: AuthRuntime, record: OneTimeTokenRecord): Promise<void> {
  await compensate(rt.config.logger, 'restore challenge', async () => {
    await rt.storage.tokens.create(record);
  });
}

/**
 * The code was right but the sign-in failed on the server's side: its reserved check must not
 * count toward the lock (the right code forgets the account's failures, as a success does).
 */
async function forgetFailures(rt: AuthRuntime, userId: string): Promise<void> {
  await compensate(rt.config.logger, 'forget second-factor failures', () =>
    secondFactorSucceeded(rt, userId),
  );
}

/** A step after a sign-in that stands: its failure is logged, never the sign-in's answer. */
async function afterSignIn(rt: AuthRuntime, name: string, step: () => Promise<unknown>) {
  try {
    await step();
  } catch (error) {
    rt.config.logger.warn(`${name} not written`, { error: String(error) });
  }
}
