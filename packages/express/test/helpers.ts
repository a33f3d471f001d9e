import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Auth,
  type AuthConfig,
  createAuth,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '@portcullis/core';
import { createPasswordHasher } from '@portcullis/core/password';

export const APP_ORIGIN = 'http://localhost:3000';
export const BASE = '/api/auth';
export const EMAIL = 'ada@example.com';
export const PASSWORD = 'violet tangerine orbit';
export const SESSION_COOKIE = '__Host-portcullis.session';
export const CSRF_COOKIE = '__Host-portcullis.csrf';

/** An Auth on memory storage with a fast argon2id, email verification off. */
export async function makeAuth(overrides: Partial<AuthConfig> = {}): Promise<Auth> {
  const hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
  return createAuth({
    storage: memoryStorage(),
    mailer: memoryMailer(),
    appUrl: APP_ORIGIN,
    secret: 's'.repeat(32),
    logger: silentLogger,
    emailVerification: { required: false },
    password: { hasher },
    ...overrides,
  });
}

/** Starts `server` on an ephemeral loopback port. */
export async function listen(server: Server): Promise<{ baseUrl: string; close(): Promise<void> }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** `fetch` with the trusted Origin a browser on the app would send. */
export function call(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('origin')) headers.set('origin', APP_ORIGIN);
  return fetch(url, { ...init, headers });
}

/** POSTs `body` as JSON. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Name → value of every `Set-Cookie` of `response`. */
export function cookiesOf(response: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/** What a signed-in browser holds after register + login over HTTP. */
export interface SignedIn {
  readonly userId: string;
  readonly sessionId: string;
  /** A `Cookie` header with the session and CSRF cookies. */
  readonly cookie: string;
  /** The CSRF token, for `x-csrf-token`. */
  readonly csrf: string;
  readonly login: Response;
  readonly body: { user: { id: string; email: string }; session: { id: string } } & Record<
    string,
    unknown
  >;
}

/** Registers and signs in through the routes under `${baseUrl}${BASE}`. */
export async function signIn(
  baseUrl: string,
  headers: Record<string, string> = {},
): Promise<SignedIn> {
  const register = await postJson(`${baseUrl}${BASE}/register`, {
    email: EMAIL,
    password: PASSWORD,
  });
  if (register.status !== 202)
    throw new Error(`register: ${register.status} ${await register.text()}`);
  const login = await postJson(
    `${baseUrl}${BASE}/login`,
    { identifier: EMAIL, password: PASSWORD },
    headers,
  );
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const body = (await login.json()) as SignedIn['body'];
  const jar = cookiesOf(login);
  const csrf = jar.get(CSRF_COOKIE) ?? '';
  return {
    userId: body.user.id,
    sessionId: body.session.id,
    cookie: `${SESSION_COOKIE}=${jar.get(SESSION_COOKIE) ?? ''}; ${CSRF_COOKIE}=${csrf}`,
    csrf,
    login,
    body,
  };
}

/**
 * A request through `node:http`, for what `fetch` refuses to send (TRACE, repeated Cookie
 * lines). `rawHeaders` is a flat `[name, value, …]` list sent as is.
 */
export function rawRequest(
  url: string,
  options: { method: string; rawHeaders?: string[]; body?: string },
): Promise<{
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    // With an array of headers Node sends exactly those, so Host is ours to add.
    const headers = ['host', new URL(url).host, ...(options.rawHeaders ?? [])];
    const req = httpRequest(url, { method: options.method, headers });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A body stream of `size` bytes in 1 KiB chunks, with no Content-Length (chunked upload). */
export function chunkedBody(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const n = Math.min(1024, size - sent);
      controller.enqueue(new TextEncoder().encode('a'.repeat(n)));
      sent += n;
    },
  });
}
