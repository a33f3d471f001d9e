import type { SessionInfo } from '../sessions/types.js';
import type { PublicUser } from '../users/public.js';

/** What the HTTP layer knows about a request beyond the Web `Request` itself. */
export interface RequestInfo {
  /**
   * The address of the TCP peer (the socket), as the server saw it. The client IP is derived
   * from it and, only through configured trusted proxies (`trustProxy`), from
   * `X-Forwarded-For`. Adapters pass it; omitted, the client IP is unknown.
   */
  readonly remoteAddress?: string | undefined;
}

/**
 * What the built-in routes know of their signed-in caller: the user and session, read and
 * checked (the HTTP handler's own routes need both). Not what the app's routes get: those get
 * {@link RequestAuth}.
 * @internal
 */
export interface Caller {
  /** The signed-in user. */
  readonly user: PublicUser;
  /** Their session. */
  readonly session: SessionInfo;
  /** How the request authenticated. */
  readonly via: 'cookie' | 'bearer';
}

/**
 * What a request proves about its caller without a store read (`requireAuth`): the verified
 * access token's claims (Bearer), or, for a session cookie (which needs its store read anyway),
 * the same facts taken from the session and user it read.
 */
export interface RequestClaims {
  /** The user id. */
  readonly sub: string;
  /** The session id. */
  readonly sid: string;
  /** How the user authenticated (RFC 8176). */
  readonly amr: readonly string[];
  /**
   * The user's roles: from the token's `roles` claim (`session.accessToken.roles: true`), or
   * the user's with a cookie. Absent in a token issued without it.
   */
  readonly roles?: readonly string[];
  /** The admin behind an impersonation (RFC 8693 `act`), or absent. */
  readonly act?: { readonly sub: string };
  /** The app's own claims (`session.accessToken.claims`), for Bearer requests. */
  readonly [claim: string]: unknown;
}

/**
 * A request that carried a valid session cookie or access token (`requireAuth` of the adapters;
 * `handler.authenticate`): the verified claims at once, the user and session only when a route
 * asks (one store read, at most once per request; a session revoked or a user disabled since an
 * access token was issued is refused then). With a Bearer access token (jwt strategy) and
 * `session.accessToken.checkSession` off, nothing was read to get here; a session cookie was
 * validated by its store read, so its `user()` and `session()` are already loaded. `U` is the
 * user's type: an `AuthUser` of the app's fields where the adapter knows them (Hono's
 * `PortcullisEnv<F>`).
 */
export interface RequestAuth<U extends PublicUser = PublicUser> {
  /** The verified claims: who is calling, from which session, and how they proved it. */
  readonly claims: RequestClaims;
  /** How the request authenticated: the session cookie or an `Authorization: Bearer` token. */
  readonly via: 'cookie' | 'bearer';
  /** The signed-in user (with the app's own fields), loaded on first call. @throws AuthError `UNAUTHENTICATED` */
  user(): Promise<U>;
  /** Their session, loaded on first call. @throws AuthError `UNAUTHENTICATED` */
  session(): Promise<SessionInfo>;
}

/**
 * The Web-standard HTTP handler of the whole contract (`docs/http.md`). Frameworks mount it
 * under `http.basePath`; it answers every path below it (unknown ones with 404).
 */
export interface HttpHandler {
  /** Answers one request. Never rejects: every failure becomes the contract's error body. */
  (request: Request, info?: RequestInfo): Promise<Response>;
  /** Where the routes live (`/api/auth` by default). */
  readonly basePath: string;
  /**
   * Authenticates a request by session cookie or Bearer access token, for `requireAuth`
   * middlewares: a Bearer access token is verified without a store read (unless
   * `session.accessToken.checkSession`), its user and session loaded on demand; a session
   * cookie is validated by its store read, and cookie-authenticated unsafe requests must also
   * pass the CSRF check. Reads the method and headers only, never the body.
   * @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED`; `STORAGE_UNAVAILABLE`
   */
  authenticate(request: Request, info?: RequestInfo): Promise<RequestAuth>;
  /**
   * The answer to a request whose method no Web `Request` can carry (`TRACE`, `TRACK`,
   * `CONNECT`), for adapters that cannot build one: `404 NOT_FOUND` on an unknown path, else
   * `405 METHOD_NOT_ALLOWED` with the `Allow` header, as the handler answers other methods.
   * `url` is the request's URL or path.
   */
  refuseMethod(method: string, url: string): Response;
}
