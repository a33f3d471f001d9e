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
 * A request that carried a valid session cookie or access token. `U` is the user's type: an
 * `AuthUser` of the app's fields where the adapter knows them (Hono's `PortcullisEnv<F>`).
 */
export interface RequestAuth<U extends PublicUser = PublicUser> {
  /** The signed-in user (with the app's own fields, `null` when unset). */
  readonly user: U;
  /** Their session (the `sid` of an access token, in the jwt strategy). */
  readonly session: SessionInfo;
  /** How the request authenticated: the session cookie or an `Authorization: Bearer` token. */
  readonly via: 'cookie' | 'bearer';
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
   * middlewares. Cookie-authenticated unsafe requests must also pass the CSRF check.
   * @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED`
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
