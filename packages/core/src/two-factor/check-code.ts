import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { consumeOtp } from './otp.js';
import { PURPOSE } from './purposes.js';
import { findRecoveryCode, useRecoveryCode } from './recovery.js';
import { commitTotpStep, findTotpStep } from './totp-check.js';
import type { SecondFactorMethod } from './types.js';

/**
 * A code checked against a user. `commit` makes the use count (advances the TOTP step, marks
 * the recovery code used) and resolves to false when a concurrent use got there first. Codes
 * are checked first and committed only once the caller has won the challenge, so the loser
 * of a race never burns a recovery code.
 */
export type CodeCheck =
  | { readonly valid: false }
  | {
      readonly valid: true;
      /**
       * What `commit` writes, named (`totp:<step>`, `recovery:<id>`, `otp`): a challenge whose
       * commit failed on the server's side remembers it, so that the retry through that
       * challenge recognises its own lost write (see `verifySecondFactor`).
       */
      readonly use: string;
      commit(): Promise<boolean>;
    };

const INVALID: CodeCheck = Object.freeze({ valid: false });

/**
 * Checks a second-factor code of `method` for `user`. Email and SMS codes are bound to a
 * challenge (`challengeSelector`); without one they never match. `ownLostUse` (a put-back
 * challenge's `CodeCheck.use` whose commit failed) lets that one use pass the check although
 * it is recorded as used: its `commit` then resolves false, and the caller accepts it. They are used up by the
 * check itself (a compare-and-delete), and a wrong one counts against the code.
 */
export async function checkCode(
  rt: AuthRuntime,
  user: UserRecord,
  proof: { method: SecondFactorMethod; code: string },
  options: { challengeSelector?: string; ownLostUse?: string | undefined } = {},
): Promise<CodeCheck> {
  const { ownLostUse } = options;
  switch (proof.method) {
    case 'totp': {
      if (user.totp === undefined) return INVALID;
      const lostStep = ownLostUse?.startsWith('totp:') ? Number(ownLostUse.slice(5)) : undefined;
      const step = await findTotpStep(rt, user.totp, proof.code, lostStep);
      return step === undefined
        ? INVALID
        : { valid: true, use: `totp:${step}`, commit: () => commitTotpStep(rt, user.id, step) };
    }
    case 'recovery': {
      const lostId = ownLostUse?.startsWith('recovery:') ? ownLostUse.slice(9) : undefined;
      const id = await findRecoveryCode(rt, user.id, proof.code, lostId);
      return id === undefined
        ? INVALID
        : { valid: true, use: `recovery:${id}`, commit: () => useRecoveryCode(rt, user.id, id) };
    }
    // A passkey is no code: `verifySecondFactor` checks it (`checkPasskeyFactor`).
    case 'passkey':
      return INVALID;
    case 'email':
    case 'sms': {
      if (options.challengeSelector === undefined) return INVALID;
      const purpose = proof.method === 'email' ? PURPOSE.emailCode : PURPOSE.smsCode;
      const result = await consumeOtp(rt, purpose, options.challengeSelector, proof.code);
      return result.status === 'ok' && result.record.userId === user.id
        ? { valid: true, use: 'otp', commit: async () => true }
        : INVALID;
    }
  }
}
