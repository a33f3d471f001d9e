import type { Auth } from '../create-auth.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { authenticateRequest } from './authenticate.js';
import { clientIpResolver } from './client-ip.js';
import { createContext } from './context.js';
import { isCrossSiteBrowserRequest } from './csrf.js';
import { errorResponse } from './error-response.js';
import { OPERATIONS, type OperationId } from './operations/index.js';
import { withCookies } from './respond.js';
import { joinRoutes, match, type Route } from './router.js';
import { HANDLERS } from './routes/index.js';
import { clearAuthCookies } from './routes/shared.js';
import type { HttpHandler, RequestInfo } from './types.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The Web-standard handler of the whole HTTP contract (`docs/http.md`): every route of the
 * Identity, Account and Second factor sections, JSON and form bodies, trailing slashes,
 * cookies (the trusted-device cookie included), CSRF, client IP through trusted proxies, CORS
 * for configured origins, and the contract's error body for every failure (never a 500 for bad
 * input). Frameworks mount it at `http.basePath`. With `http.openapi` on (the default outside
 * production) it also serves the contract's OpenAPI 3.1 document at `GET {base}/openapi.json`.
 *
 * @example
 * ```ts
 * const handler = createHttpHandler(auth)
 * Bun.serve({ fetch: (req, server) => handler(req, { remoteAddress: server.requestIP(req)?.address }) })
 * ```
 */
export function createHttpHandler(auth: Auth): HttpHandler {
  const config = auth.options;
  const basePath = config.http.basePath;
  const clientIp = clientIpResolver(config.trustProxy);
  // Every operation of the table with its handler; the document only with `http.openapi` on.
  const routes: readonly Route[] = joinRoutes(
    HANDLERS,
    (id) => config.http.openapi || id !== 'getOpenApiDocument',
  );

  const handle = async (request: Request, info: RequestInfo = {}): Promise<Response> => {
    const origin = request.headers.get('origin');
    const cors = origin !== null && config.http.corsOrigins.includes(origin) ? origin : undefined;
    let response: Response;
    // What dispatch learnt before it failed: the operation and the client, for events.
    const seen: Seen = {};
    try {
      response = await dispatch(request, info, cors, seen);
    } catch (error) {
      // Server-side failures are logged with their cause and stack; the client gets the
      // generic body only. (Driver errors arrive here as STORAGE_UNAVAILABLE with a cause.)
      // (Driver errors arrive here as STORAGE_UNAVAILABLE with a cause and the store operation;
      // the report is one line per request, kept to a budget during an outage.)
      if (!(error instanceof AuthError) || error.status >= 500) {
        await auth.reportServerError(error, { ...seen.client, route: seen.route });
      }
      await reportRefusal(auth, error, seen);
      response = errorResponse(error);
      // A session cookie that no longer opens anything is cleared, so the browser stops sending it.
      if (
        error instanceof AuthError &&
        error.code === 'UNAUTHENTICATED' &&
        request.headers.has('cookie')
      ) {
        response = withCookies(response, clearAuthCookies(config, ['session']));
      }
    }
    if (cors !== undefined) {
      response.headers.set('access-control-allow-origin', cors);
      response.headers.set('access-control-allow-credentials', 'true');
      response.headers.append('vary', 'Origin');
    }
    return response;
  };

  const dispatch = async (
    request: Request,
    info: RequestInfo,
    cors: string | undefined,
    seen: Seen,
  ) => {
    const url = new URL(request.url);
    if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
      throw new AuthError('NOT_FOUND');
    }
    const path = url.pathname.slice(basePath.length) || '/';
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const found = match(routes, method, path);
    if (found.kind === 'not_found') throw new AuthError('NOT_FOUND');
    if (method === 'OPTIONS' && cors !== undefined && found.kind !== 'route') {
      return preflight(found.kind === 'method_not_allowed' ? found.allow : []);
    }
    if (found.kind === 'method_not_allowed') {
      const res = errorResponse(new AuthError('METHOD_NOT_ALLOWED'));
      res.headers.set('allow', found.allow.join(', '));
      return res;
    }
    seen.route = found.route.operationId;
    const client = {
      ip: clientIp(request, info.remoteAddress),
      userAgent: request.headers.get('user-agent') ?? undefined,
    };
    seen.client = client;
    // Browsers that say a state-changing request is cross-site are refused (login CSRF
    // included), unless the origin is a configured CORS app or the request carries a Bearer
    // token (browsers never attach one by themselves). Cookie-authenticated routes also check
    // the CSRF token.
    if (
      UNSAFE.has(method) &&
      OPERATIONS[found.route.operationId].crossSite !== true &&
      cors === undefined &&
      !/^Bearer /i.test(request.headers.get('authorization') ?? '') &&
      isCrossSiteBrowserRequest(request, config)
    ) {
      throw new AuthError('CSRF_FAILED');
    }
    const response = await found.route.handle(createContext(auth, request, found.params, client));
    // HEAD: the GET answer without its body (not every runtime strips it).
    return request.method === 'HEAD' ? new Response(null, response) : response;
  };

  /** Runs an authentication, reporting a failure on the server's side before throwing it. */
  const reported = async <T>(request: Request, info: RequestInfo, run: () => Promise<T>) => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof AuthError) || error.status >= 500) {
        await auth.reportServerError(error, {
          ip: clientIp(request, info.remoteAddress),
          userAgent: request.headers.get('user-agent') ?? undefined,
          route: 'authenticate',
        });
      }
      throw error;
    }
  };

  /** 404 outside the routes, else 405 with `Allow`: no route takes a method no Request has. */
  const refuseMethod = (method: string, url: string): Response => {
    const { pathname } = new URL(url, 'http://localhost');
    const inside = pathname === basePath || pathname.startsWith(`${basePath}/`);
    const found = inside
      ? match(routes, method.toUpperCase(), pathname.slice(basePath.length) || '/')
      : ({ kind: 'not_found' } as const);
    if (found.kind !== 'method_not_allowed') return errorResponse(new AuthError('NOT_FOUND'));
    const res = errorResponse(new AuthError('METHOD_NOT_ALLOWED'));
    res.headers.set('allow', found.allow.join(', '));
    return res;
  };

  return Object.assign(handle, {
    basePath,
    // Protected routes of the app: a failure on the server's side is reported (logged once,
    // within the budget) like one of the handler's own, then thrown for the adapter to answer.
    authenticate: (request: Request, info: RequestInfo = {}) =>
      reported(request, info, () => authenticateRequest(auth, request)),
    refuseMethod,
  });
}

/** What the handler knew of a request when it failed. */
interface Seen {
  route?: OperationId;
  client?: RequestContext;
}

// Refusals of input before or by a flow's schema (OWASP ASVS 16.3.3).
const INVALID_INPUT = new Set([
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

/**
 * A CSRF refusal or an input that did not validate, on a known route, becomes an event
 * (`request.csrf_refused`, `request.invalid`: budgeted, listeners and the log). Only the
 * operation id and the first failing field's name go in, never a value. Never throws: the
 * handler always answers.
 */
async function reportRefusal(auth: Auth, error: unknown, seen: Seen): Promise<void> {
  if (!(error instanceof AuthError) || seen.route === undefined) return;
  const context = seen.client ?? {};
  try {
    if (error.code === 'CSRF_FAILED') {
      await auth.reportRequestProblem({ kind: 'csrf_refused', route: seen.route }, context);
    } else if (INVALID_INPUT.has(error.code)) {
      const field = error.details?.[0]?.path;
      await auth.reportRequestProblem(
        { kind: 'invalid', route: seen.route, code: error.code, field },
        context,
      );
    }
  } catch {
    // A throwing logger: the emitter already reports listener and audit failures.
  }
}

function preflight(allow: readonly string[]): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-methods': [...allow, 'OPTIONS'].join(', '),
      'access-control-allow-headers': 'content-type, authorization, x-csrf-token',
      'access-control-max-age': '600',
      'cache-control': 'no-store',
    },
  });
}
