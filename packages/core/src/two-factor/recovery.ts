import { randomToken, TOKEN_ID_BYTES } from '../crypto/tokens.js';
import type { AuthRuntime } from '../runtime/context.js';
import {
  generateRecoveryCode,
  hashRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  recoveryCodeMatches,
} from './recovery-codes.js';

/**
 * Gives the user a new set of recovery codes, all or nothing: the old ones die. Resolves to
 * the codes, which exist nowhere else from then on (show them once).
 */
export async function issueRecoveryCodes(rt: AuthRuntime, userId: string): Promise<string[]> {
  const { random } = rt.config;
  const characters = rt.config.twoFactor.recoveryCodeCharacters;
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    generateRecoveryCode(random, characters),
  );
  const records = [];
  for (const code of codes) {
    const hash = await hashRecoveryCode(normalizeRecoveryCode(code) as string, rt.hasher);
    records.push({ id: randomToken({ bytes: TOKEN_ID_BYTES, random }), hash });
  }
  await rt.storage.twoFactor.replaceRecoveryCodes(userId, records);
  return codes;
}

/** The id of the user's unused recovery code that `input` matches, or `undefined`. Reads only. */
export async function findRecoveryCode(
  rt: AuthRuntime,
  userId: string,
  input: string,
  ownLostId?: string,
): Promise<string | undefined> {
  const code = normalizeRecoveryCode(input);
  if (code === undefined) return undefined;
  // `ownLostId`: a code a put-back challenge's failed commit may have marked used, which the
  // retry through that challenge may use once more (see `verifySecondFactor`).
  const unused = (await rt.storage.twoFactor.listRecoveryCodes(userId)).filter(
    (c) => c.usedAt === undefined || c.id === ownLostId,
  );
  for (const record of unused) {
    if (await recoveryCodeMatches(code, record.hash, rt.hasher)) return record.id;
  }
  return undefined;
}

/** Marks a code used, atomically: true for the one caller that used it. */
export async function useRecoveryCode(
  rt: AuthRuntime,
  userId: string,
  id: string,
): Promise<boolean> {
  return (
    (await rt.storage.twoFactor.markRecoveryCodeUsed(userId, id, { now: rt.now() })) === 'used'
  );
}
