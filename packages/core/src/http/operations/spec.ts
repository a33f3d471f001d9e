import type { AuthErrorCode } from '../../errors/auth-error.js';
import type { RequestSchemaName } from '../openapi/requests.js';
import type { ResponseSchemaName } from '../openapi/responses.js';

/** The methods of the contract's routes. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Who may call an operation: anyone (`none`), the signed-in caller (`session`: a session
 * cookie or a Bearer access token), or the holder of a refresh token (`refresh`).
 */
export type OperationAuth = 'none' | 'session' | 'refresh';

/**
 * One operation of the HTTP contract, declared once: the router, the OpenAPI document and the
 * client's paths are derived from it. Its operationId is its key in the table.
 */
export interface OperationSpec {
  /** The HTTP method; `HEAD` is answered by the `GET` routes. */
  readonly method: HttpMethod;
  /** The path below the base path; `:name` segments are parameters (`/sessions/:id`). */
  readonly path: string;
  /** The section of `docs/http.md` (and the document's tag). */
  readonly tag:
    | 'Identity'
    | 'Account'
    | 'Second factor'
    | 'Social sign-in'
    | 'Passkeys'
    | 'Magic links'
    | 'Admin'
    | 'Document';
  /** One line for the document. */
  readonly summary: string;
  /** More for the document, when the summary is not enough. */
  readonly description?: string;
  /** Who may call it; `session` operations' handlers start with `ctx.caller()`. */
  readonly auth: OperationAuth;
  /** Query parameters (browser navigations: `redirectTo`, a provider's answer). */
  readonly query?: readonly {
    readonly name: string;
    readonly required: boolean;
    readonly description: string;
  }[];
  /**
   * A cross-site browser POST is expected and allowed (a provider's `form_post` answer): the
   * state, PKCE and the binding cookie protect it instead of the cross-site refusal.
   */
  readonly crossSite?: true;
  /** The body's schema; `required: false` when it may be empty (an optional proof). */
  readonly request?: { readonly schema: RequestSchemaName; readonly required: boolean };
  /** The success status, its body schema (none for 204) and what it means. */
  readonly success: {
    readonly status: 200 | 201 | 202 | 204 | 302;
    readonly schema?: ResponseSchemaName;
    readonly description: string;
  };
  /**
   * A second success answer, depending on configuration (`POST /register` with
   * `registration.signIn` answers `200` signed in instead of `202`).
   */
  readonly alsoSuccess?: {
    readonly status: 200 | 201;
    readonly schema: ResponseSchemaName;
    readonly description: string;
  };
  /** Codes of this operation besides {@link commonErrors}. */
  readonly errors: readonly AuthErrorCode[];
}

/**
 * The codes of a sensitive operation's fresh-session rule (`sign-in/reauthenticate.ts`,
 * `requireStepUp`); `FORBIDDEN` for a session an admin opened by impersonation.
 */
export const FRESHNESS: readonly AuthErrorCode[] = [
  'REAUTH_REQUIRED',
  'PASSWORD_INCORRECT',
  'CODE_INVALID',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'FORBIDDEN',
];

/** What a completed sign-in answers (`/login`, `/reauthenticate`, `/2fa/verify`). */
export const SIGNED_IN =
  'Signed in. Cookie strategy: `{status, user, session}` and the session and CSRF cookies. ' +
  'jwt strategy: `{status, user, accessToken, expiresIn, refreshToken?}` and the refresh ' +
  'cookie (or `refreshToken` in the body with `http.refreshTokenTransport: body`).';

/**
 * Codes every operation of a kind can answer: a body is read (400/413/415; 413 also for any
 * other unsafe method), an unsafe method (cross-site refusal, CSRF token), a session needed,
 * and the server-side failures.
 */
export function commonErrors(op: OperationSpec): AuthErrorCode[] {
  const codes: AuthErrorCode[] = [];
  if (op.request !== undefined)
    codes.push('BAD_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  // Without a body schema, an oversized body is still refused: an adapter that reads the body
  // before the handler routes (Express's, streaming with the limit) answers 413 to any method
  // but GET and HEAD.
  else if (op.method !== 'GET') codes.push('PAYLOAD_TOO_LARGE');
  if (op.method !== 'GET') codes.push('CSRF_FAILED');
  if (op.auth === 'session') codes.push('UNAUTHENTICATED');
  codes.push('STORAGE_UNAVAILABLE', 'INTERNAL');
  return codes;
}
