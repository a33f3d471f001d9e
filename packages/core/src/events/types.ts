import type { AuthErrorCode } from '../errors/auth-error.js';
import type { JsonObject } from '../storage/types/json.js';

/**
 * Every security event Portcullis emits. The set is closed and names never change meaning;
 * events carry ids, addresses and user agents, never a password, hash, token, code or secret.
 */
export type AuthEventType =
  | 'user.registered'
  | 'user.register_existing'
  | 'email.verification_sent'
  | 'email.verified'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'login.throttled'
  | 'reauth.failed'
  | 'session.created'
  | 'session.revoked'
  | 'session.revoked_all'
  | 'session.reauthenticated'
  | 'session.foreign_access'
  | 'refresh.succeeded'
  | 'refresh.reuse_detected'
  | 'password.reset_requested'
  | 'password.reset'
  | 'password.changed'
  | 'password.rehashed'
  | 'email.change_requested'
  | 'email.changed'
  | 'user.updated'
  | 'user.deleted'
  | 'mail.failed'
  | '2fa.enrollment_started'
  | '2fa.enabled'
  | '2fa.disabled'
  | '2fa.challenged'
  | '2fa.code_sent'
  | '2fa.succeeded'
  | '2fa.failed'
  | '2fa.recovery_codes_regenerated'
  | 'recovery_code.used'
  | 'phone.verified'
  | 'trusted_device.added'
  | 'trusted_device.revoked'
  | 'trusted_device.foreign_access'
  | 'sms.failed'
  | 'request.csrf_refused'
  | 'request.invalid'
  | 'storage.unavailable'
  | 'account.linked'
  | 'account.unlinked'
  | 'oauth.failed'
  | 'passkey.registered'
  | 'passkey.renamed'
  | 'passkey.removed'
  | 'passkey.failed'
  | 'passkey.counter_regressed'
  | 'magic_link.requested'
  | 'admin.action';

/** One emitted event. */
export interface AuthEvent {
  /** What happened. */
  readonly type: AuthEventType;
  /** When, epoch milliseconds from the configured clock. */
  readonly at: number;
  /** The user it concerns, when known (an unknown identifier at sign-in has none). */
  readonly userId?: string;
  /** The session it concerns or came from. */
  readonly sessionId?: string;
  /** Client address, as the HTTP layer established it through trusted proxies. */
  readonly ip?: string;
  /** Client user agent. */
  readonly userAgent?: string;
  /** Event-specific facts (a reason code, a count); never a secret. */
  readonly data?: JsonObject;
}

/** Receives every event. Errors it throws are logged and do not affect the flow. */
export type AuthEventListener = (event: AuthEvent) => void | Promise<void>;

/** Who is asking: the client's address and user agent, for events, sessions and throttling. */
export interface RequestContext {
  /** Client IP address (established by the HTTP layer, never a raw `X-Forwarded-For`). */
  readonly ip?: string | undefined;
  /** Client `User-Agent`, truncated to 512 characters when stored. */
  readonly userAgent?: string | undefined;
  /**
   * The raw trusted-device token the client presented (the `__Host-portcullis.device` cookie,
   * `{id}.{secret}`). Sign-in skips the second factor when it names a live device of the user.
   * A secret: never put into events or logs.
   */
  readonly trustedDevice?: string | undefined;
  /**
   * The session token (cookie strategy) or refresh token (jwt strategy) the client still holds
   * when it signs in again: a successful sign-in ends that session (OWASP ASVS 7.2.4, a new
   * token on every authentication). A secret: never put into events or logs.
   */
  readonly replacesSession?: string | undefined;
  /**
   * A secret that binds a second-factor challenge to the client that passed the password: the
   * HTTP layer makes one per browser sign-in and keeps it in an HttpOnly cookie. Given at
   * sign-in, the challenge stores its hash; the challenge then opens (`/2fa/verify`, code
   * sends) only with the same secret. A secret: never put into events or logs.
   */
  readonly challengeBinding?: string | undefined;
}

/**
 * A request the HTTP layer refused before any flow ran it, for `auth.reportRequestProblem`:
 * a cross-site write or a missing CSRF token (`csrf_refused`), or input that did not validate
 * (`invalid`: `VALIDATION_FAILED`, `BAD_REQUEST`, `PAYLOAD_TOO_LARGE`,
 * `UNSUPPORTED_MEDIA_TYPE`). `route` is the operation's id (`login`), never the raw path;
 * `field` is the name of the first field that failed, never its value.
 */
export type RequestProblem =
  | { readonly kind: 'csrf_refused'; readonly route: string }
  | {
      readonly kind: 'invalid';
      readonly route: string;
      /** The error code the client got. */
      readonly code: AuthErrorCode;
      /** The first failing field's name (`identifier`, `password`), when known. */
      readonly field?: string | undefined;
    };
