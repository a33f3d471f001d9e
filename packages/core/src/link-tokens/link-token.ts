import { timingSafeEqualStrings } from '../crypto/compare.js';
import { sha256Base64Url } from '../crypto/hash.js';
import { createSplitToken, parseSplitToken } from '../crypto/tokens.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import { compensate } from '../flows/compensate.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { JsonObject } from '../storage/types/json.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';

/** Purposes of mailed link tokens. */
export type LinkPurpose = 'verify-email' | 'password-reset' | 'email-change';

/**
 * Issues a single-use link token (`selector.verifier`, 128 + 256 bits, base64url): the store
 * keeps the selector and SHA-256 of the verifier only. One live token per user and purpose:
 * issuing a new one deletes the previous, so an older mail stops working.
 */
export async function issueLinkToken(
  rt: AuthRuntime,
  options: { purpose: LinkPurpose; userId: string; ttlSeconds: number; payload?: JsonObject },
): Promise<string> {
  await rt.storage.tokens.deleteByUser(options.userId, { purpose: options.purpose });
  const token = createSplitToken({ random: rt.config.random });
  const record: OneTimeTokenRecord = {
    purpose: options.purpose,
    selector: token.id,
    verifierHash: token.secretHash,
    userId: options.userId,
    expiresAt: rt.now() + options.ttlSeconds * 1000,
    attempts: 0,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  };
  // A selector collision (128 random bits) would mean a broken random source: fail closed.
  if ((await rt.storage.tokens.create(record)) === 'conflict') {
    throw new AuthError('INTERNAL', { cause: new Error('link token selector collision') });
  }
  return token.token;
}

/**
 * Consumes a link token: one compare-and-delete in the store, so of two concurrent uses one
 * wins. @throws AuthError `TOKEN_INVALID` (malformed, unknown, used, wrong verifier) or
 * `TOKEN_EXPIRED` (right token, too late; it is deleted).
 */
export async function consumeLinkToken(
  rt: AuthRuntime,
  purpose: LinkPurpose,
  token: string,
): Promise<OneTimeTokenRecord> {
  const parsed = parseSplitToken(token);
  if (!parsed) throw new AuthError('TOKEN_INVALID');
  const result = await rt.storage.tokens.consume(purpose, parsed.id, {
    verifierHash: sha256Base64Url(parsed.secret),
    now: rt.now(),
  });
  if (result.status === 'ok') return result.record;
  throw new AuthError(result.status === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
}

/**
 * Reads a link token without consuming it (to check a new password against the policy before
 * the token is used up). `undefined` when it is not live or the verifier is wrong.
 */
export async function peekLinkToken(
  rt: AuthRuntime,
  purpose: LinkPurpose,
  token: string,
): Promise<OneTimeTokenRecord | undefined> {
  const parsed = parseSplitToken(token);
  if (!parsed) return undefined;
  const record = await rt.storage.tokens.get(purpose, parsed.id, rt.now());
  return record !== undefined &&
    timingSafeEqualStrings(record.verifierHash, sha256Base64Url(parsed.secret))
    ? record
    : undefined;
}

/**
 * Puts back a link token that was used up by a request that then failed on the server's side
 * (issue 16: a store outage must not burn the owner's link; the retry works). A store that
 * still refuses is tried again until it is back (`compensate`). Call it only for a change that
 * was not written.
 */
export async function restoreLinkToken(rt: AuthRuntime, record: OneTimeTokenRecord): Promise<void> {
  await compensate(rt.config.logger, `restore ${record.purpose} link`, async () => {
    await rt.storage.tokens.create(record);
  });
}

/** Whether `error` is a failure on the server's side (a store outage), not an answer. */
export function isServerFailure(error: unknown): boolean {
  return !isAuthError(error) || error.status >= 500;
}
