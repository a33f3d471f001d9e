import type { PublicUser } from '../users/public.js';

/** A session as clients see it. Times are ISO 8601. */
export interface SessionInfo {
  /** The session id (public: the `sid` claim, the path of `DELETE /sessions/:id`). */
  readonly id: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  /** The earlier of the idle and the absolute expiry. */
  readonly expiresAt: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** How the user authenticated (`pwd`, `otp`, …; RFC 8176). */
  readonly amr: readonly string[];
  /** True for the session that asked. */
  readonly current: boolean;
  /**
   * The admin's user id when an admin opened this session by impersonation (show a banner),
   * else `null`. Such a session ends within an hour and cannot reach `/admin` or step up.
   */
  readonly impersonatedBy: string | null;
}

/** What a client keeps after signing in: depends on the session strategy. */
export type SessionTokens =
  | {
      readonly strategy: 'cookie';
      /** `{id}.{secret}`, for the HttpOnly session cookie. Never stored. */
      readonly sessionToken: string;
    }
  | {
      readonly strategy: 'jwt';
      /** A short-lived access JWT (`typ: at+jwt`). */
      readonly accessToken: string;
      /** Seconds until the access token expires. */
      readonly expiresIn: number;
      /** `{sessionId}.{secret}`, rotated on every use. Never stored. */
      readonly refreshToken: string;
    };

/** A signed-in user and their session, as `validateSession` resolves them. */
export interface AuthenticatedSession {
  readonly user: PublicUser;
  readonly session: SessionInfo;
}
