import * as v from 'valibot';
import { sha256Base64Url } from '../crypto/hash.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { assertPasswordCorrect } from '../sign-in/password-check.js';
import { stepUpFields } from '../sign-in/step-up.js';
import { requireUser } from '../two-factor/account.js';
import { resumeEmailFactor } from '../two-factor/email-pause.js';
import {
  assertSecondFactorNotLocked,
  checkReserved,
  reserveSecondFactorCheck,
  secondFactorFailed,
  secondFactorSucceeded,
} from '../two-factor/failure.js';
import { stateError, userCodeSchema, userPasswordSchema } from '../two-factor/input.js';
import { ENROLL_TTL_SECONDS, PURPOSE } from '../two-factor/purposes.js';
import { issueRecoveryCodes } from '../two-factor/recovery.js';
import {
  DEFAULT_TOTP_PARAMS,
  generateTotpSecret,
  matchTotpStep,
  totpUri,
} from '../two-factor/totp.js';
import { decryptTotpSecret, encryptTotpSecret } from '../two-factor/totp-check.js';

const alreadyOn = () => stateError('(input)', 'Two-factor authentication is already on');

/**
 * Starts a TOTP enrollment: checks the password, makes a 160-bit secret and keeps it,
 * encrypted, for 15 minutes (one pending enrollment per user; a new one replaces it). 2FA is
 * not on until {@link confirmTotp}. Emits `2fa.enrollment_started`.
 * @throws AuthError `VALIDATION_FAILED` (also when 2FA is already on: turn it off first, so a
 * stolen session with the password cannot swap the authenticator without a code),
 * `PASSWORD_INCORRECT`, `RATE_LIMITED` (password re-checks locked), `UNAUTHENTICATED`
 */
export async function enrollTotp(
  rt: AuthRuntime,
  input: { userId: string; password: string },
  context: RequestContext,
): Promise<{ secret: string; otpauthUri: string }> {
  const { userId, password } = parseInput(userPasswordSchema, input);
  const user = await requireUser(rt, userId);
  await assertPasswordCorrect(rt, user, password, context);
  if (user.totp !== undefined) throw alreadyOn();
  const secret = generateTotpSecret(rt.config.random);
  const encrypted = await encryptTotpSecret(rt, secret);
  const record = {
    purpose: PURPOSE.totpEnroll,
    selector: user.id,
    verifierHash: sha256Base64Url(encrypted),
    userId: user.id,
    payload: { secret: encrypted },
    expiresAt: rt.now() + ENROLL_TTL_SECONDS * 1000,
    attempts: 0,
  };
  await rt.storage.tokens.delete(PURPOSE.totpEnroll, user.id);
  if ((await rt.storage.tokens.create(record)) === 'conflict') {
    // A concurrent enrollment took the slot: the last one wins, as its secret is the one shown.
    await rt.storage.tokens.delete(PURPOSE.totpEnroll, user.id);
    await rt.storage.tokens.create(record);
  }
  await rt.emit({ type: '2fa.enrollment_started', userId: user.id }, context);
  const issuer = rt.config.twoFactor.totpIssuer;
  return { secret, otpauthUri: totpUri({ issuer, account: user.email, secret }) };
}

const confirmSchema = v.object({
  ...userCodeSchema.entries,
  sessionId: stepUpFields.sessionId,
});

/**
 * Confirms the pending enrollment with a code from the app (±1 step): TOTP is stored (secret
 * encrypted with AES-256-GCM, the code's step recorded as used), earlier trusted devices are
 * cleared, and 10 recovery codes are made and returned, this once. The caller's session
 * (`sessionId`), which just proved the new authenticator, counts as second-factor fresh.
 * Emits `2fa.enabled`.
 *
 * Each check is reserved before it runs, on the pending enrollment (`tokens.recordFailure`
 * with `twoFactor.otpMaxAttempts + 1`: after `otpMaxAttempts` wrong codes the enrollment is
 * dead and a new `enroll` is needed) and on `secondFactorPerAccount` (a wrong code counts like
 * one at sign-in; `RATE_LIMITED` while the second factor is locked). A wrong code emits
 * `2fa.failed` with `via: 'enroll'`.
 * @throws AuthError `CODE_INVALID` (wrong code, or no live pending enrollment),
 * `RATE_LIMITED`, `VALIDATION_FAILED`
 */
export async function confirmTotp(
  rt: AuthRuntime,
  input: { userId: string; code: string; sessionId?: string | undefined },
  context: RequestContext,
): Promise<{ recoveryCodes: string[] }> {
  const { userId, code, sessionId } = parseInput(confirmSchema, input);
  const user = await requireUser(rt, userId);
  if (user.totp !== undefined) throw alreadyOn();
  await assertSecondFactorNotLocked(rt, user.id);
  const left = await rt.storage.tokens.recordFailure(PURPOSE.totpEnroll, user.id, {
    maxAttempts: rt.config.twoFactor.otpMaxAttempts + 1,
  });
  if (left === 0) {
    // Nothing pending, or its checks are used up (the reservation deleted it): nothing to check.
    await rt.emit(
      {
        type: '2fa.failed',
        userId: user.id,
        data: { method: 'totp', reason: 'code_invalid', via: 'enroll' },
      },
      context,
    );
    throw new AuthError('CODE_INVALID');
  }
  const reservation = await reserveSecondFactorCheck(rt, user.id);
  const now = rt.now();
  const { pending, encrypted, step } = await checkReserved(rt, user.id, reservation, async () => {
    const pending = await rt.storage.tokens.get(PURPOSE.totpEnroll, user.id, now);
    const encrypted = pending?.payload?.secret;
    const step =
      typeof encrypted === 'string'
        ? await matchTotpStep(await decryptTotpSecret(rt, encrypted), DEFAULT_TOTP_PARAMS, code, {
            atMs: now,
          })
        : undefined;
    return { pending, encrypted, step };
  });
  if (pending === undefined || typeof encrypted !== 'string' || step === undefined) {
    throw await secondFactorFailed(
      rt,
      { userId: user.id, method: 'totp', reason: 'code_invalid', via: 'enroll', reservation },
      context,
    );
  }
  // Of two concurrent confirmations, one uses the pending enrollment up.
  const used = await rt.storage.tokens.consume(PURPOSE.totpEnroll, user.id, {
    verifierHash: pending.verifierHash,
    now,
  });
  if (used.status !== 'ok') throw new AuthError('CODE_INVALID');
  await secondFactorSucceeded(rt, user.id);
  // Codes and a clean device list first: a crash before TOTP is stored leaves 2FA off.
  const recoveryCodes = await issueRecoveryCodes(rt, user.id);
  await rt.storage.twoFactor.deleteAllTrustedDevices(user.id);
  await rt.storage.users.update(user.id, {
    totp: { encryptedSecret: encrypted, ...DEFAULT_TOTP_PARAMS, lastUsedStep: step },
    updatedAt: now,
  });
  // A new authenticator, set up from a signed-in session: no reset pause carries over to it.
  await resumeEmailFactor(rt, user.id);
  // The code just proved the new authenticator: the session that set it up counts as
  // second-factor fresh (it may, say, add a phone next without another code).
  if (sessionId !== undefined) {
    const session = await rt.storage.sessions.get(sessionId, now);
    if (session?.userId === user.id) {
      await rt.storage.sessions.markFresh(session.id, {
        freshUntil: session.freshUntil,
        secondFactorAt: now,
        now,
      });
    }
  }
  await rt.emit(
    { type: '2fa.enabled', userId: user.id, data: { recoveryCodes: recoveryCodes.length } },
    context,
  );
  return { recoveryCodes };
}
