import { generationOf } from '../credentials/generation.js';
import { timingSafeEqualStrings } from '../crypto/compare.js';
import { sha256Base64Url } from '../crypto/hash.js';
import { createSplitToken, parseSplitToken } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';
import type { UserRecord } from '../storage/types/users.js';
import { stateError } from './input.js';
import { PURPOSE } from './purposes.js';
import type { SecondFactorMethod } from './types.js';

/** A live challenge whose verifier checked out. */
export interface OpenChallenge {
  /** The challenge's selector: the key of its codes (email, SMS) too. */
  readonly selector: string;
  /** SHA-256 of the presented verifier. */
  readonly verifierHash: string;
  /** The stored challenge. */
  readonly record: OneTimeTokenRecord;
}

/** Options of {@link issueChallenge}. */
export interface ChallengeOptions {
  /**
   * A secret the HTTP layer keeps in the browser's HttpOnly challenge cookie
   * (`RequestContext.challengeBinding`): the challenge then only opens with it too.
   */
  readonly binding?: string | undefined;
  /**
   * The `amr` of the first factor (`['pwd']` for a password, `['email']` for a magic link),
   * which the session opened by the code carries before the second factor's. Default `['pwd']`.
   */
  readonly amr?: readonly string[] | undefined;
  /**
   * Methods this challenge must not offer nor accept, whatever the account has: `email` after
   * a magic link (the mailbox was the first factor and cannot be the second too).
   */
  readonly excludeMethods?: readonly SecondFactorMethod[] | undefined;
}

/**
 * Starts a second-factor challenge for a user whose first factor checked out: a
 * `selector.verifier` token (128 + 256 bits) of which the store keeps SHA-256 of the verifier.
 * Lives `twoFactor.challengeTtlSeconds`; dies after `challengeMaxAttempts` wrong codes. With
 * `binding`, the challenge only opens with that secret too. The first factor's `amr` and the
 * excluded methods are kept in the challenge ({@link challengeAmr}, {@link challengeExcludes}).
 */
export async function issueChallenge(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'id' | 'credentialGeneration'>,
  options: ChallengeOptions = {},
): Promise<string> {
  const { binding, amr, excludeMethods } = options;
  const token = createSplitToken({ random: rt.config.random });
  const created = await rt.storage.tokens.create({
    purpose: PURPOSE.challenge,
    selector: token.id,
    verifierHash: token.secretHash,
    userId: user.id,
    // The generation the first factor was checked against: a change before the code ends it.
    // With a browser binding (`RequestContext.challengeBinding`), only its hash is kept: the
    // challenge can then be finished only where that secret is (the browser's HttpOnly cookie).
    payload: {
      credentialGeneration: generationOf(user),
      ...(binding === undefined ? {} : { binding: sha256Base64Url(binding) }),
      ...(amr === undefined ? {} : { amr: [...amr] }),
      ...(excludeMethods === undefined || excludeMethods.length === 0
        ? {}
        : { excludeMethods: [...excludeMethods] }),
    },
    expiresAt: rt.now() + rt.config.twoFactor.challengeTtlSeconds * 1000,
    attempts: 0,
  });
  // 128 random bits colliding means a broken random source: fail closed.
  if (created === 'conflict') {
    throw new AuthError('INTERNAL', { cause: new Error('challenge selector collision') });
  }
  return token.token;
}

/** The first factor's `amr` a challenge recorded; `['pwd']` for one that recorded none. */
export function challengeAmr(record: OneTimeTokenRecord): string[] {
  const amr = record.payload?.amr;
  return Array.isArray(amr) && amr.length > 0 && amr.every((m) => typeof m === 'string')
    ? (amr as string[])
    : ['pwd'];
}

/**
 * The refusal of a method (a code, or a request to send one) that the challenge excludes:
 * `VALIDATION_FAILED` on `path`, as for any method the sign-in cannot use (the paused email
 * factor's refusal). Nothing is counted.
 */
export function excludedMethodError(method: SecondFactorMethod, path = 'method'): AuthError {
  return stateError(
    path,
    method === 'email'
      ? 'Email codes cannot finish a sign-in that started with an email link or code: use your authenticator app, an SMS code or a recovery code'
      : `The ${method} method cannot finish this sign-in`,
  );
}

/** Whether a challenge was issued without `method` (see {@link ChallengeOptions}). */
export function challengeExcludes(record: OneTimeTokenRecord, method: SecondFactorMethod): boolean {
  const excluded = record.payload?.excludeMethods;
  return Array.isArray(excluded) && excluded.includes(method);
}

/**
 * Finds a live challenge and checks its verifier, without using it up; a challenge bound to a
 * browser also needs that browser's `binding` secret (a challenge read from a log or a proxy
 * cannot be finished elsewhere).
 * @throws AuthError `TOKEN_INVALID` (malformed, unknown, used, killed by wrong codes, wrong
 * verifier, missing or wrong binding) or `TOKEN_EXPIRED` (the right token, too late; it is
 * deleted)
 */
export async function openChallenge(
  rt: AuthRuntime,
  token: string,
  binding: string | undefined,
): Promise<OpenChallenge> {
  const parsed = parseSplitToken(token);
  if (!parsed) throw new AuthError('TOKEN_INVALID');
  const verifierHash = sha256Base64Url(parsed.secret);
  const now = rt.now();
  const record = await rt.storage.tokens.get(PURPOSE.challenge, parsed.id, now);
  if (record === undefined) {
    // Not live: the store says `expired` only to the right verifier, and deletes the token.
    const result = await rt.storage.tokens.consume(PURPOSE.challenge, parsed.id, {
      verifierHash,
      now,
    });
    throw new AuthError(result.status === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
  }
  if (!timingSafeEqualStrings(record.verifierHash, verifierHash)) {
    throw new AuthError('TOKEN_INVALID');
  }
  const bound = record.payload?.binding;
  if (
    typeof bound === 'string' &&
    (typeof binding !== 'string' || !timingSafeEqualStrings(bound, sha256Base64Url(binding)))
  ) {
    // Not counted as a wrong code: whoever holds the challenge without the browser cannot
    // spend the owner's attempts either.
    throw new AuthError('TOKEN_INVALID');
  }
  return { selector: parsed.id, verifierHash, record };
}

/**
 * Uses a challenge up in one compare-and-delete: of concurrent verifications of one challenge,
 * one gets through. @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`
 */
export async function consumeChallenge(rt: AuthRuntime, open: OpenChallenge): Promise<void> {
  const result = await rt.storage.tokens.consume(PURPOSE.challenge, open.selector, {
    verifierHash: open.verifierHash,
    now: rt.now(),
  });
  if (result.status === 'expired') throw new AuthError('TOKEN_EXPIRED');
  if (result.status !== 'ok') throw new AuthError('TOKEN_INVALID');
}

/**
 * Reserves one code check on a challenge, BEFORE the code is checked: counted atomically on
 * the challenge (`tokens.recordFailure` with `challengeMaxAttempts + 1`), so of any number of
 * concurrent verifications at most `challengeMaxAttempts` check a code. Resolves to the checks
 * left, this one included (1: it is the last; the caller deletes the challenge if it fails).
 * @throws AuthError `TOKEN_INVALID` when none is left (the challenge is deleted then)
 */
export async function reserveChallengeCheck(rt: AuthRuntime, selector: string): Promise<number> {
  const left = await rt.storage.tokens.recordFailure(PURPOSE.challenge, selector, {
    maxAttempts: rt.config.twoFactor.challengeMaxAttempts + 1,
  });
  if (left === 0) throw new AuthError('TOKEN_INVALID');
  return left;
}
