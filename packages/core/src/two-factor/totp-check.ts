import type { AuthRuntime } from '../runtime/context.js';
import type { TotpState } from '../storage/types/users.js';
import { TOTP_SECRET_KEY } from './purposes.js';
import { matchTotpStep } from './totp.js';

/** Encrypts a Base32 TOTP secret for the store (AES-256-GCM, its own derived key). */
export function encryptTotpSecret(rt: AuthRuntime, secret: string): Promise<string> {
  return rt.keyring.encrypt(TOTP_SECRET_KEY, secret);
}

/** Decrypts a stored TOTP secret. @throws AuthError `INTERNAL` when it does not decrypt */
export function decryptTotpSecret(rt: AuthRuntime, encrypted: string): Promise<string> {
  return rt.keyring.decrypt(TOTP_SECRET_KEY, encrypted);
}

/**
 * The time step of `code` for this enrollment at the current time (±1 step), or `undefined`
 * when it is wrong or its step was already used (RFC 6238 section 5.2: a verifier must not
 * accept a code a second time). Reads only: {@link commitTotpStep} makes the use count.
 */
export async function findTotpStep(
  rt: AuthRuntime,
  totp: TotpState,
  code: string,
  ownLostStep?: number,
): Promise<number | undefined> {
  const secret = await decryptTotpSecret(rt, totp.encryptedSecret);
  const step = await matchTotpStep(secret, totp, code, { atMs: rt.now() });
  if (step === undefined) return undefined;
  // `ownLostStep`: the step a put-back challenge's failed commit may have written, which the
  // retry through that challenge may use once more (see `verifySecondFactor`).
  if (totp.lastUsedStep !== undefined && step <= totp.lastUsedStep && step !== ownLostStep) {
    return undefined;
  }
  return step;
}

/**
 * Records `step` as used, atomically: true for the one caller that advanced it, false for a
 * replay (a concurrent use of the same code, or of an older one).
 */
export async function commitTotpStep(
  rt: AuthRuntime,
  userId: string,
  step: number,
): Promise<boolean> {
  return (await rt.storage.users.advanceTotpStep(userId, step)) === 'advanced';
}
