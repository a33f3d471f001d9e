import { describe, expect, it } from 'vitest';
import {
  OPENAPI_DOCUMENT,
  type OpenApiResponse,
  servedDocument,
} from '../../http/openapi/document.js';
import type { Exchange } from './client.js';
import type { ContractContext } from './context.js';
import { validateJsonSchema } from './json-schema.js';
import { APP_URL } from './make-auth.js';

/** Route parameters as the router accepts them (`http/router.ts`). */
const PARAM = /^[A-Za-z0-9_-]{1,64}$/;
const NOT_FOUND = 'NOT_FOUND';
const METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED';

/**
 * Checks every exchange of the suite against the OpenAPI document: the operation is found by
 * method and path template (`/sessions/{id}`), its status must be documented for it, and the
 * body must match that response's schema (no body for `204`). Unknown paths must be
 * `404 NOT_FOUND`, other methods of a known path `405 METHOD_NOT_ALLOWED`; CORS preflights
 * (`OPTIONS` answered `204`) are outside the document.
 */
export class OpenApiChecker {
  /** Statuses seen per operation (`POST /login`), with how often. */
  readonly seen = new Map<string, Map<number, number>>();
  /** Every problem found, also thrown by {@link OpenApiChecker.check}. */
  readonly violations: string[] = [];
  readonly #basePath: string;

  /** A checker of routes mounted at `basePath`. */
  constructor(basePath: string) {
    this.#basePath = basePath;
  }

  /** Checks one exchange. @throws Error naming the problem, so the request's test fails. */
  check(exchange: Exchange): void {
    const problems = this.#problems(exchange);
    if (problems.length === 0) return;
    const message = `OpenAPI document: ${exchange.method} ${exchange.path} answered ${exchange.status}: ${problems.join('; ')} (body: ${exchange.body.slice(0, 300)})`;
    this.violations.push(message);
    throw new Error(message);
  }

  /** Documented operations never exercised, as `METHOD /path`. */
  unseen(): string[] {
    const out: string[] = [];
    for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
      for (const method of Object.keys(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (!this.seen.has(key)) out.push(key);
      }
    }
    return out;
  }

  /** One line per operation seen: its statuses and counts. */
  report(): string {
    return [...this.seen]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, statuses]) => {
        const list = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
        return `${key}: ${list.join(', ')}`;
      })
      .join('\n');
  }

  #record(key: string, status: number): void {
    const statuses = this.seen.get(key) ?? new Map<number, number>();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    this.seen.set(key, statuses);
  }

  #problems(exchange: Exchange): string[] {
    const pathname = exchange.path.split('?')[0] ?? '';
    if (!pathname.startsWith(this.#basePath)) return [];
    let route = pathname.slice(this.#basePath.length) || '/';
    if (route.length > 1 && route.endsWith('/')) route = route.slice(0, -1);
    const method = exchange.method === 'HEAD' ? 'GET' : exchange.method;
    const template = findTemplate(route);
    if (template === undefined) {
      this.#record('(unknown route)', exchange.status);
      return expectError(exchange, 404, NOT_FOUND);
    }
    const item = OPENAPI_DOCUMENT.paths[template] ?? {};
    if (method === 'OPTIONS' && exchange.status === 204) {
      this.#record(`OPTIONS ${template} (CORS preflight)`, exchange.status);
      return [];
    }
    const operation = item[method.toLowerCase()];
    if (operation === undefined) {
      this.#record(`${method} ${template} (not an operation)`, exchange.status);
      return expectError(exchange, 405, METHOD_NOT_ALLOWED);
    }
    this.#record(`${method} ${template}`, exchange.status);
    const response = operation.responses[String(exchange.status)];
    if (response === undefined) {
      return [`status ${exchange.status} is not documented for ${method} ${template}`];
    }
    return exchange.method === 'HEAD' ? [] : bodyProblems(exchange, response);
  }
}

function findTemplate(route: string): string | undefined {
  const segments = route.split('/');
  return Object.keys(OPENAPI_DOCUMENT.paths).find((template) => {
    const parts = template.split('/');
    return (
      parts.length === segments.length &&
      parts.every((p, i) => {
        const s = segments[i] as string;
        return p.startsWith('{') ? PARAM.test(s) : p === s;
      })
    );
  });
}

function bodyProblems(exchange: Exchange, response: OpenApiResponse): string[] {
  const schema = response.content?.['application/json']?.schema;
  if (schema === undefined) {
    return exchange.body === '' ? [] : ['the document gives this status no body, but it had one'];
  }
  const type = exchange.headers.find(([name]) => name === 'content-type')?.[1] ?? '';
  if (!type.startsWith('application/json')) return [`content-type "${type}", not JSON`];
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return ['the body is not JSON'];
  }
  return validateJsonSchema(schema, body, OPENAPI_DOCUMENT);
}

/** A 404/405 outside the document's operations: the contract's error body with `code`. */
function expectError(exchange: Exchange, status: number, code: string): string[] {
  if (exchange.status !== status) return [`expected ${status} ${code}`];
  const schema = OPENAPI_DOCUMENT.components.schemas.ErrorBody ?? false;
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return ['the body is not JSON'];
  }
  const problems = validateJsonSchema(schema, body, OPENAPI_DOCUMENT);
  const got = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return got === code ? problems : [...problems, `expected code ${code}, got ${String(got)}`];
}

/**
 * `GET /openapi.json` serves the committed document with `servers` set to `appUrl` + the base
 * path, and every response of the whole run matched the document (checked per request by the
 * suite's clients; this reports what was covered).
 */
export function describeOpenApi(ctx: ContractContext): void {
  describe('OpenAPI document', () => {
    it('is served at GET /openapi.json with this server', async () => {
      const res = await ctx.client().request('GET', '/openapi.json');
      if (!ctx.auth().options.http.openapi) {
        expect(res.status).toBe(404);
        return;
      }
      expect(res.status).toBe(200);
      expect(res.body).toEqual(servedDocument(`${APP_URL}${ctx.basePath}`));
    });

    it('describes every response of the run, and the run exercised every operation', () => {
      expect(ctx.openApi.violations).toEqual([]);
      expect(ctx.openApi.unseen(), `covered:\n${ctx.openApi.report()}`).toEqual([]);
    });
  });
}
