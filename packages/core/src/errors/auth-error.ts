/**
 * Every failure that Portcullis reports carries one of these codes. The set is closed and a
 * code never changes meaning; callers branch on `code`, never on message text.
 * `docs/errors.md` lists each code with its status and when it happens.
 */
export type AuthErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'WEAK_PASSWORD'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'CODE_INVALID'
  | 'INVALID_CREDENTIALS'
  | 'UNAUTHENTICATED'
  | 'REFRESH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_REUSED'
  | 'PASSWORD_INCORRECT'
  | 'EMAIL_NOT_VERIFIED'
  | 'ACCOUNT_DISABLED'
  | 'CSRF_FAILED'
  | 'REAUTH_REQUIRED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'USERNAME_TAKEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'STORAGE_UNAVAILABLE'
  | 'CONFLICT'
  | 'OAUTH_FAILED'
  | 'ACCOUNT_LINK_REQUIRED'
  | 'PASSKEY_INVALID'
  | 'FORBIDDEN'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

/** HTTP status of each code, as the contract (`docs/errors.md`) gives it. */
export const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, number>> = Object.freeze({
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  WEAK_PASSWORD: 400,
  TOKEN_INVALID: 400,
  TOKEN_EXPIRED: 400,
  CODE_INVALID: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  PASSWORD_INCORRECT: 403,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_DISABLED: 403,
  CSRF_FAILED: 403,
  REAUTH_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  USERNAME_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  STORAGE_UNAVAILABLE: 503,
  CONFLICT: 409,
  OAUTH_FAILED: 400,
  ACCOUNT_LINK_REQUIRED: 409,
  PASSKEY_INVALID: 400,
  FORBIDDEN: 403,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
});

/** Default messages, safe to show an end user: they never say which check failed. */
export const AUTH_ERROR_MESSAGES: Readonly<Record<AuthErrorCode, string>> = Object.freeze({
  BAD_REQUEST: 'The request could not be read.',
  VALIDATION_FAILED: 'Some fields are missing or invalid.',
  WEAK_PASSWORD: 'This password is not allowed. Choose a longer or less common one.',
  TOKEN_INVALID: 'This link or code is not valid.',
  TOKEN_EXPIRED: 'This link or code has expired.',
  CODE_INVALID: 'The code is not valid.',
  INVALID_CREDENTIALS: 'The identifier or password is incorrect.',
  UNAUTHENTICATED: 'You are not signed in.',
  REFRESH_TOKEN_INVALID: 'Your session has ended. Sign in again.',
  REFRESH_TOKEN_REUSED: 'Your session has ended. Sign in again.',
  PASSWORD_INCORRECT: 'The password is incorrect.',
  EMAIL_NOT_VERIFIED: 'Verify your email address before signing in.',
  ACCOUNT_DISABLED: 'This account is disabled.',
  CSRF_FAILED: 'The request was refused. Reload the page and try again.',
  REAUTH_REQUIRED: 'Confirm your password to continue.',
  NOT_FOUND: 'Not found.',
  METHOD_NOT_ALLOWED: 'Method not allowed.',
  USERNAME_TAKEN: 'This username is taken.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Send JSON or a form.',
  RATE_LIMITED: 'Too many attempts. Try again later.',
  STORAGE_UNAVAILABLE: 'The service is temporarily unavailable. Try again.',
  CONFLICT: 'The request conflicts with existing data.',
  OAUTH_FAILED: 'Signing in with that provider did not work. Start again.',
  ACCOUNT_LINK_REQUIRED:
    'An account with this email already exists. Sign in to it, then link this provider from your settings.',
  PASSKEY_INVALID: 'That passkey could not be verified. Try again.',
  FORBIDDEN: 'You do not have permission to do this.',
  CONFIG_INVALID: 'Authentication is misconfigured.',
  INTERNAL: 'Something went wrong.',
});

/** One field-level problem of a `VALIDATION_FAILED` or `WEAK_PASSWORD` error. */
export interface AuthErrorDetail {
  /** Dotted path of the field, for example `email` or `session.idleTimeoutSeconds`. */
  readonly path: string;
  /** What is wrong with it, in words safe to show the user. */
  readonly message: string;
}

/** Options of {@link AuthError}. */
export interface AuthErrorOptions {
  /** Overrides the default message of the code. Must stay safe to show an end user. */
  message?: string;
  /** Field-level problems (validation and password policy failures). */
  details?: readonly AuthErrorDetail[];
  /** Seconds until a retry may succeed (`RATE_LIMITED`). */
  retryAfterSeconds?: number;
  /** The internal cause: logged, never sent to a client. */
  cause?: unknown;
  /**
   * For `STORAGE_UNAVAILABLE`: the store operation that failed (`sessions.rotateRefresh`), for
   * logs and events. Never sent to a client.
   */
  operation?: string;
}

/**
 * The one error class of Portcullis. `code` is stable, `status` is the HTTP status the
 * contract gives the code, `message` is safe for end users, `details` lists field problems.
 * Internal causes (a driver error, a failed check) stay in `cause`.
 *
 * @example
 * ```ts
 * try { await auth.login(input, ctx) } catch (e) {
 *   if (isAuthError(e) && e.code === 'RATE_LIMITED') retryIn(e.retryAfterSeconds)
 * }
 * ```
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  /** The stable code; see `docs/errors.md`. */
  readonly code: AuthErrorCode;
  /** The HTTP status of the code. */
  readonly status: number;
  /** Field-level problems, for `VALIDATION_FAILED`, `WEAK_PASSWORD` and `CONFIG_INVALID`. */
  readonly details: readonly AuthErrorDetail[] | undefined;
  /** Seconds until a retry may succeed, for `RATE_LIMITED`. */
  readonly retryAfterSeconds: number | undefined;
  /** The store operation that failed (`STORAGE_UNAVAILABLE`), for logs; never in the body. */
  readonly operation: string | undefined;

  /** Makes an error of `code`, with the code's status and default message unless overridden. */
  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(
      options.message ?? AUTH_ERROR_MESSAGES[code],
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = AUTH_ERROR_STATUS[code];
    this.details = options.details === undefined ? undefined : Object.freeze([...options.details]);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.operation = options.operation;
  }

  /** The contract's error body: `{ error: { code, message, details? } }`. Never the cause. */
  toJSON(): {
    error: { code: AuthErrorCode; message: string; details?: readonly AuthErrorDetail[] };
  } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** True when `value` is an {@link AuthError} (also across bundled copies of the package). */
export function isAuthError(value: unknown): value is AuthError {
  if (value instanceof AuthError) return true;
  if (!(value instanceof Error) || value.name !== 'AuthError') return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(AUTH_ERROR_STATUS, code);
}
