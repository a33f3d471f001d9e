import { SERVER_ERROR_CODES, type ServerErrorCode } from './contract.js';

export type { ServerErrorCode };

/**
 * Codes the client makes itself, not in the contract:
 * - `NETWORK_ERROR` (`status` 0): the request never got an answer (offline, DNS, refused
 *   connection, CORS refusal). The original error is the `cause`.
 * - `INVALID_RESPONSE`: an answer that is not the contract's (an HTML error page from a proxy,
 *   a code this client version does not know, a success body that is not JSON). `status` is
 *   the HTTP status received.
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'INVALID_RESPONSE';

/** Every code an {@link AuthClientError} carries. */
export type AuthClientErrorCode = ServerErrorCode | ClientErrorCode;

/** One field problem of `VALIDATION_FAILED` or `WEAK_PASSWORD`. */
export interface AuthClientErrorDetail {
  /** The field, e.g. `email` or `newPassword`. */
  readonly path: string;
  /** What is wrong with it, safe to show. */
  readonly message: string;
}

/** What {@link AuthClientError}'s constructor takes besides the code. */
export interface AuthClientErrorOptions {
  /** The HTTP status received; `0` when there was no answer. */
  readonly status: number;
  /** Message safe to show (the server's). Default: the code. */
  readonly message?: string;
  /** Field problems (`VALIDATION_FAILED`, `WEAK_PASSWORD`). */
  readonly details?: readonly AuthClientErrorDetail[];
  /** Seconds from `Retry-After` (`RATE_LIMITED`). */
  readonly retryAfter?: number;
  /** The underlying error (a network failure). */
  readonly cause?: unknown;
}

/** The contract's codes, generated from core's list (`contract.ts`). */
const SERVER_CODES: ReadonlySet<string> = new Set(SERVER_ERROR_CODES);

/** True when `code` is one of the contract's codes (or `INTERNAL`). */
export function isServerErrorCode(code: unknown): code is ServerErrorCode {
  return typeof code === 'string' && SERVER_CODES.has(code);
}

/**
 * The one error of `@portcullis/client`, thrown (as a rejected promise) for every non-2xx
 * answer of the auth API and for network failures. Branch on `code`, never on `message`.
 *
 * @example
 * ```ts
 * try {
 *   await client.login({ identifier, password });
 * } catch (e) {
 *   if (e instanceof AuthClientError && e.code === 'RATE_LIMITED') wait(e.retryAfter);
 * }
 * ```
 */
export class AuthClientError extends Error {
  override readonly name = 'AuthClientError';
  /** The contract's code, or `NETWORK_ERROR` / `INVALID_RESPONSE` (see {@link ClientErrorCode}). */
  readonly code: AuthClientErrorCode;
  /** The HTTP status; `0` for `NETWORK_ERROR`. */
  readonly status: number;
  /** Field problems, for `VALIDATION_FAILED` and `WEAK_PASSWORD`. */
  readonly details: readonly AuthClientErrorDetail[] | undefined;
  /** Seconds to wait before retrying, from `Retry-After` (`RATE_LIMITED`). */
  readonly retryAfter: number | undefined;

  /** An error of `code`; the server's message when it sent one. */
  constructor(code: AuthClientErrorCode, options: AuthClientErrorOptions) {
    super(
      options.message ?? code,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = options.status;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }
}

/** True when `error` is an {@link AuthClientError}, optionally of one of `codes`. */
export function isAuthClientError(
  error: unknown,
  ...codes: readonly AuthClientErrorCode[]
): error is AuthClientError {
  return error instanceof AuthClientError && (codes.length === 0 || codes.includes(error.code));
}
