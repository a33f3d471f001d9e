import type { HttpContext } from './context.js';

/** One route of the contract. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the base path; `:name` segments are parameters. */
  readonly path: string;
  readonly handle: (ctx: HttpContext) => Promise<Response>;
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
