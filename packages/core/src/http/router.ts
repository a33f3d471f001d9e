import type { HttpContext } from './context.js';
import { OPERATION_IDS, OPERATIONS, type OperationId } from './operations/index.js';
import type { HttpMethod } from './operations/spec.js';

/** What answers one operation: it gets the request's context and resolves to the response. */
export type Handler = (ctx: HttpContext) => Promise<Response>;

/**
 * Handlers of some operations, keyed by operationId: what each `routes/` file exports. An
 * operationId the table does not have is a type error (`satisfies Handlers`).
 */
export type Handlers = Partial<Record<OperationId, Handler>>;

/** One route of the router: an operation of the table joined with its handler. */
export interface Route {
  /** The operation's key in the table. */
  readonly operationId: OperationId;
  /** The operation's method. */
  readonly method: HttpMethod;
  /** Path below the base path; `:name` segments are parameters. */
  readonly path: string;
  /** The operation's handler. */
  readonly handle: Handler;
}

/**
 * The routes of the operations that `include` keeps, in the table's order, each with its
 * handler. `handlers` is keyed by operationId: one per operation, checked by the type.
 */
export function joinRoutes(
  handlers: Readonly<Record<OperationId, Handler>>,
  include: (id: OperationId) => boolean = () => true,
): Route[] {
  return OPERATION_IDS.filter(include).map((operationId) => {
    const { method, path } = OPERATIONS[operationId];
    return { operationId, method, path, handle: handlers[operationId] };
  });
}

/** The outcome of matching a path: a route, a known path with other methods, or nothing. */
export type Match =
  | { readonly kind: 'route'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not_found' };

/**
 * Matches `path` (below the base path; a trailing slash is accepted on every route) against
 * the route table. Parameters must be short and URL-safe: they are ids, never free text.
 */
export function match(routes: readonly Route[], method: string, path: string): Match {
  const segments = trimSlash(path).split('/');
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path.split('/'), segments);
    if (!params) continue;
    if (route.method === method) return { kind: 'route', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
}

function matchPath(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const s = segments[i] as string;
    if (p.startsWith(':')) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) return undefined;
      params[p.slice(1)] = s;
    } else if (p !== s) {
      return undefined;
    }
  }
  return params;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
