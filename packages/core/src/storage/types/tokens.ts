import type { TokenPurpose } from '../purposes.js';
import type { JsonObject } from './json.js';

/**
 * A one-time token: an email verification or password reset link, an email change, an email or
 * SMS code, a second-factor challenge. Found by `(purpose, selector)`; proven by the verifier,
 * whose hash (SHA-256, or HMAC-SHA256 for short codes) is all the store keeps.
 * Live while `now < expiresAt` (epoch ms).
 */
export interface OneTimeTokenRecord {
  /** What the token is for, e.g. `email_verification`, `password_reset`, `2fa_challenge`. */
  readonly purpose: string;
  /**
   * Core-generated public lookup key (128-bit random, or the user id for one-per-user records
   * such as a pending TOTP enrollment); unique per purpose.
   */
  readonly selector: string;
  /** Hash of the verifier; compared exactly by the store. */
  readonly verifierHash: string;
  /**
   * The user the token belongs to. Absent for a token that belongs to no user yet (the OAuth
   * `state` of a social sign-in, a passkey sign-in challenge): `deleteByUser` never deletes such
   * a token, and `get` and `consume` return it without the field (absent: not `null`, not `''`,
   * not a key holding `undefined`).
   */
  readonly userId?: string;
  /**
   * Data the flow needs when the token is used (for example the new email); never a secret in
   * plain text (a pending TOTP secret is AES-256-GCM encrypted).
   */
  readonly payload?: JsonObject;
  /** End of life, epoch ms. */
  readonly expiresAt: number;
  /** Wrong codes counted so far by `recordFailure`; core creates tokens with 0. */
  readonly attempts: number;
}

/** Options of {@link TokenStore.consume}. */
export interface TokenConsumeOptions {
  /** Hash of the verifier that was presented. */
  readonly verifierHash: string;
  /** Current time, epoch ms. */
  readonly now: number;
}

/** Result of {@link TokenStore.consume}. */
export type TokenConsumeResult =
  | { readonly status: 'ok'; readonly record: OneTimeTokenRecord }
  | { readonly status: 'expired' }
  | { readonly status: 'not_found' };

/** One-time tokens. Every atomic step touches one token, so a Redis Cluster key per token works. */
export interface TokenStore {
  /** Inserts a token; `conflict`, storing nothing, if `(purpose, selector)` exists. */
  create(token: OneTimeTokenRecord): Promise<'created' | 'conflict'>;
  /**
   * One compare-and-delete. When `verifierHash` matches: the token is deleted and the result is
   * `ok` with the record if it was live at `now`, else `expired`. A wrong verifier resolves to
   * `not_found` whatever the expiry and leaves the token in place (so a guesser cannot burn a
   * victim's link); so does a missing token. Of concurrent consumes of one token, one is `ok`.
   */
  consume(
    purpose: string,
    selector: string,
    options: TokenConsumeOptions,
  ): Promise<TokenConsumeResult>;
  /**
   * Counts one wrong code atomically. When the count reaches `maxAttempts` the token is deleted.
   * Resolves to the attempts left (`maxAttempts - attempts`, at least 0; 0 for a missing
   * token). Concurrent failures are all counted: N of them leave N fewer attempts.
   */
  recordFailure(
    purpose: string,
    selector: string,
    options: { readonly maxAttempts: number },
  ): Promise<number>;
  /** The token if it exists and is live at `now` (reading a challenge), else `undefined`. */
  get(purpose: string, selector: string, now: number): Promise<OneTimeTokenRecord | undefined>;
  /** Deletes one token. Deleting a missing token is a no-op. */
  delete(purpose: string, selector: string): Promise<void>;
  /**
   * Deletes the user's tokens: of one purpose when given (one of `TOKEN_PURPOSES`, so a
   * misspelt purpose is a type error), else all of them.
   */
  deleteByUser(userId: string, options?: { readonly purpose?: TokenPurpose }): Promise<void>;
}
