/**
 * A small HTTP client for the contract suite: `fetch` plus a cookie jar that behaves like a
 * browser's for the attributes the contract uses (Path, Max-Age, Expires), a default trusted
 * `Origin`, the double-submit CSRF header and an optional Bearer token. Every exchange is
 * recorded so the leakage checks can scan everything a scenario returned.
 */

import { CookieJar, parseSetCookie, type SetCookie } from './cookie-jar.js';

export type { SetCookie } from './cookie-jar.js';

/** One request and its response, as the leakage scan reads them. */
export interface Exchange {
  /** Request method. */
  readonly method: string;
  /** Request path, base path included. */
  readonly path: string;
  /** Response status. */
  readonly status: number;
  /** Every response header except `set-cookie`, lower-cased names. */
  readonly headers: readonly (readonly [string, string])[];
  /** Every `Set-Cookie`, parsed. */
  readonly setCookies: readonly SetCookie[];
  /** The response body as text. */
  readonly body: string;
}

/** A response, read once. */
export interface ContractResponse {
  /** Response status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Headers;
  /** Every `Set-Cookie`, parsed, in order. */
  readonly setCookies: readonly SetCookie[];
  /** The body as text (empty for `204`). */
  readonly text: string;
  /** The parsed JSON body; `undefined` when the body is empty or not JSON. */
  readonly body: unknown;
}

/** Options of {@link ContractClient.request}. */
export interface ContractRequestOptions {
  /** A JSON body (sent as `application/json`). */
  readonly json?: unknown;
  /** A form body (sent as `application/x-www-form-urlencoded`). */
  readonly form?: Readonly<Record<string, string>>;
  /** A raw body, sent with {@link ContractRequestOptions.contentType}. */
  readonly raw?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** Content type of `raw`; omitted: none. */
  readonly contentType?: string;
  /** `Origin` header. Default the app's origin; `null` sends none. */
  readonly origin?: string | null;
  /**
   * `x-csrf-token`: `true` (default) sends the token from the last `GET /csrf` on unsafe
   * methods, `false` sends none, a string sends that value.
   */
  readonly csrf?: boolean | string;
  /** Send the client's Bearer token when it has one. Default true. */
  readonly bearer?: boolean;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where a {@link ContractClient} sends requests and what it records. */
export interface ContractClientOptions {
  /** Server origin, e.g. `http://127.0.0.1:54321`. */
  readonly baseUrl: string;
  /** Where the routes live, e.g. `/api/auth`. */
  readonly basePath: string;
  /** The trusted app origin sent as `Origin` by default. */
  readonly appOrigin: string;
  /** The clock the jar decides `Expires` with. */
  readonly now: () => number;
  /** Every exchange is appended here. */
  readonly log: Exchange[];
  /** `User-Agent` sent with every request. */
  readonly userAgent: string;
  /**
   * Called with every exchange once it is recorded; a throw fails the request. The suite checks
   * each response against the OpenAPI document here.
   */
  readonly check?: (exchange: Exchange) => void;
}

/** A browser-like client of one user agent: its own jar, CSRF token and Bearer token. */
export class ContractClient {
  /** The client's cookies. */
  readonly jar: CookieJar;
  /** Sent as `Authorization: Bearer` when set (jwt strategy). */
  bearer: string | undefined;
  /** Sent as `x-csrf-token` on unsafe requests when set (from `GET /csrf`). */
  csrfToken: string | undefined;
  /** The latest refresh token returned in a body (jwt strategy, body transport). */
  refreshToken: string | undefined;
  readonly #options: ContractClientOptions;

  /** A client with an empty jar and no tokens. */
  constructor(options: ContractClientOptions) {
    this.#options = options;
    this.jar = new CookieJar(options.now);
  }

  /** Sends `method` to `route` (below the base path, e.g. `/login`) and reads the answer. */
  async request(
    method: string,
    route: string,
    options: ContractRequestOptions = {},
  ): Promise<ContractResponse> {
    const { baseUrl, basePath, appOrigin, log, userAgent } = this.#options;
    const path = `${basePath}${route}`;
    const headers = new Headers({ 'user-agent': userAgent, ...options.headers });
    const origin = options.origin === undefined ? appOrigin : options.origin;
    if (origin !== null) headers.set('origin', origin);
    const cookie = this.jar.header(path.split('?')[0] ?? path);
    if (cookie !== undefined) headers.set('cookie', cookie);
    if (options.bearer !== false && this.bearer !== undefined) {
      headers.set('authorization', `Bearer ${this.bearer}`);
    }
    const csrf = options.csrf ?? true;
    if (typeof csrf === 'string') headers.set('x-csrf-token', csrf);
    else if (csrf && !SAFE.has(method) && this.csrfToken !== undefined) {
      headers.set('x-csrf-token', this.csrfToken);
    }
    let body: string | Uint8Array | ReadableStream<Uint8Array> | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers.set('content-type', 'application/json');
    } else if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    } else if (options.raw !== undefined) {
      body = options.raw;
      if (options.contentType !== undefined) headers.set('content-type', options.contentType);
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, redirect: 'manual' };
    if (body !== undefined) init.body = body as BodyInit;
    if (body instanceof ReadableStream) init.duplex = 'half';
    const response = await fetch(`${baseUrl}${path}`, init);
    const text = await response.text();
    const setCookies = response.headers.getSetCookie().map(parseSetCookie);
    for (const c of setCookies) this.jar.store(c, path);
    const headerList: [string, string][] = [];
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headerList.push([name, value]);
    });
    const exchange: Exchange = {
      method,
      path,
      status: response.status,
      headers: headerList,
      setCookies,
      body: text,
    };
    log.push(exchange);
    this.#options.check?.(exchange);
    return {
      status: response.status,
      headers: response.headers,
      setCookies,
      text,
      body: json(text),
    };
  }

  /** `GET /csrf`; keeps the token for later unsafe requests and returns it. */
  async fetchCsrf(): Promise<string> {
    const res = await this.request('GET', '/csrf');
    const token = (res.body as { csrfToken?: unknown } | undefined)?.csrfToken;
    if (res.status !== 200 || typeof token !== 'string') {
      throw new Error(`GET /csrf answered ${res.status}: ${res.text}`);
    }
    this.csrfToken = token;
    return token;
  }
}

function json(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
