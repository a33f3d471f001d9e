import type { RequestContext } from '../events/types.js';
import type { UserRecord } from '../storage/types/users.js';

/** A second factor the user can complete a sign-in with. */
export type SecondFactorMethod = 'totp' | 'email' | 'sms' | 'recovery';

/** What a second-factor hook answers when the user must present one. */
export interface SecondFactorChallenge {
  /** The opaque challenge token to send back with the code. */
  readonly challenge: string;
  /** The methods the user has enabled. */
  readonly methods: readonly SecondFactorMethod[];
}

/**
 * What a second-factor hook answers when the second factor is already satisfied another way
 * (a trusted device): sign-in goes on, and these values join `pwd` in the session's `amr`.
 */
export interface SecondFactorSatisfied {
  /** Authentication methods to add to the session's `amr`, for example `['device']`. */
  readonly amr: readonly string[];
}

/**
 * Where throttling and the second factor plug into sign-in. Every member is optional; hooks
 * run in registration order. A hook that throws (for example `RATE_LIMITED`) stops the sign-in
 * with its error. What a hook's `beforeAttempt` resolves to (a throttle's reservation) is
 * handed back to the same hook's later calls for this attempt as `reservation`.
 */
export interface LoginHook {
  /**
   * Before any lookup, with the normalized identifier (throttles unknown accounts alike). A
   * throttle reserves the attempt here, before the password is checked, so that concurrent
   * attempts cannot all get past its limit; what it resolves to comes back as `reservation`.
   */
  beforeAttempt?(attempt: { identifierKey: string; context: RequestContext }): Promise<unknown>;
  /** After a failed first factor (unknown identifier or wrong password). */
  onFailure?(attempt: {
    identifierKey: string;
    userId: string | undefined;
    context: RequestContext;
    reservation?: unknown;
  }): Promise<void>;
  /**
   * After a correct password that still does not sign in (`ACCOUNT_DISABLED`,
   * `EMAIL_NOT_VERIFIED`): neither a failure nor a success.
   */
  onRefused?(attempt: {
    identifierKey: string;
    user: UserRecord;
    context: RequestContext;
    reservation?: unknown;
  }): Promise<void>;
  /**
   * After a correct password, before the session: a second factor may be required (answer a
   * {@link SecondFactorChallenge}), or be satisfied already (answer {@link SecondFactorSatisfied}),
   * or not apply (`undefined`).
   */
  afterFirstFactor?(attempt: {
    identifierKey: string;
    user: UserRecord;
    context: RequestContext;
    reservation?: unknown;
  }): Promise<SecondFactorChallenge | SecondFactorSatisfied | undefined>;
}
