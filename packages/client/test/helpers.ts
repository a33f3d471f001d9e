import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  type Auth,
  type AuthConfig,
  type AuthEvent,
  createAuth,
  memorySmsSender,
  memoryStorage,
  silentLogger,
} from '@portcullis/core';
import { createHttpHandler } from '@portcullis/core/http';
import { createPasswordHasher } from '@portcullis/core/password';
import {
  CookieJar,
  type FakeClock,
  fakeClock,
  type MemoryMailer,
  memoryMailer,
  parseSetCookie,
} from '@portcullis/core/testing';
import { DEFAULT_TOTP_PARAMS, totpCode } from '@portcullis/core/two-factor';
import { type AuthClient, type AuthClientOptions, createAuthClient } from '../src/index.js';
import type { LockManagerLike } from '../src/options.js';

/** The app origin the server trusts (`appUrl`); the cookie-jar fetch sends it as `Origin`. */
export const APP_URL = 'http://localhost:3000';
export const BASE_PATH = '/api/auth';
export const PASSWORD = 'violet tangerine orbit';
export const T0 = Date.UTC(2026, 0, 1);

/** A real Portcullis server on a loopback port, with what the tests inspect. */
export interface TestServer {
  readonly auth: Auth;
  /** `http://127.0.0.1:port/api/auth`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:port`. */
  readonly origin: string;
  readonly mailer: MemoryMailer;
  readonly sms: ReturnType<typeof memorySmsSender>;
  readonly clock: FakeClock;
  readonly events: AuthEvent[];
  /** Requests that reached the server, as `METHOD /path` (base path stripped). */
  readonly requests: string[];
  /** How many requests of `METHOD /path` reached the server. */
  count(route: string): number;
  close(): Promise<void>;
}

/** IncomingMessage → Request, streaming the body. */
function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, init);
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Serves `createHttpHandler(auth)` on node:http, plus `/api/notes`, a protected route of "the
 * app" (session cookie or Bearer, CSRF on writes) for `client.fetch`.
 */
export async function startServer(
  strategy: 'cookie' | 'jwt',
  config: Partial<AuthConfig> = {},
): Promise<TestServer> {
  const mailer = memoryMailer({ appUrl: APP_URL });
  const sms = memorySmsSender();
  const clock = fakeClock(T0);
  const events: AuthEvent[] = [];
  const requests: string[] = [];
  const hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
  const auth = createAuth({
    secret: 'client-test-secret-0123456789abcdef',
    storage: memoryStorage(),
    mailer,
    sms,
    appUrl: APP_URL,
    clock,
    logger: silentLogger,
    onEvent: (event) => {
      events.push(event);
    },
    password: { hasher },
    ...config,
    session: { strategy, ...config.session },
  });
  const handler = createHttpHandler(auth);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(
      `${req.method} ${path.startsWith(BASE_PATH) ? path.slice(BASE_PATH.length) : path}`,
    );
    const request = toRequest(req);
    const remote = req.socket.remoteAddress;
    const info = remote === undefined ? {} : { remoteAddress: remote };
    const answer = path.startsWith('/api/notes') ? notes(request) : handler(request, info);
    answer
      .then((response) => send(response, res))
      .catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
  });
  async function notes(request: Request): Promise<Response> {
    try {
      const caller = await handler.authenticate(request);
      const { via } = caller;
      const user = await caller.user();
      const body = request.method === 'GET' ? null : await request.text();
      return Response.json({ owner: user.email, via, method: request.method, body });
    } catch (error) {
      const { errorResponse } = await import('@portcullis/core/http');
      return errorResponse(error);
    }
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    auth,
    origin,
    baseUrl: `${origin}${BASE_PATH}`,
    mailer,
    sms,
    clock,
    events,
    requests,
    count: (route) => requests.filter((r) => r === route).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A browser's cookie handling for Node's fetch: keeps `Set-Cookie` in `jar`, sends `Cookie`
 * (by path), and sends `Origin: appUrl` as a browser on the app would.
 */
export function jarFetch(jar: CookieJar, origin = APP_URL): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set('origin', origin);
    const cookie = jar.header(pathname);
    if (cookie === undefined) headers.delete('cookie');
    else headers.set('cookie', cookie);
    const response = await fetch(new Request(request, { headers }));
    for (const line of response.headers.getSetCookie()) jar.store(parseSetCookie(line), pathname);
    return response;
  };
}

/** A client of `server` with its own cookie jar (one browser), unless one is given. */
export function clientFor(
  server: TestServer,
  strategy: 'cookie' | 'jwt',
  options: Partial<AuthClientOptions> & { jar?: CookieJar } = {},
): { client: AuthClient; jar: CookieJar } {
  const { jar = new CookieJar(server.clock.now), ...rest } = options;
  const client = createAuthClient({
    baseUrl: server.baseUrl,
    strategy,
    fetch: jarFetch(jar),
    locks: null,
    broadcastChannel: null,
    now: server.clock.now,
    ...rest,
  });
  return { client, jar };
}

/** Registers `email`, verifies it from the mail, and returns the credentials. */
export async function signUp(
  server: TestServer,
  client: AuthClient,
  email: string,
): Promise<{ identifier: string; password: string }> {
  await client.register({ email, password: PASSWORD });
  const mail = server.mailer.find(email, 'verify-email');
  const token = mail === undefined ? undefined : server.mailer.extractToken(mail);
  if (token === undefined) throw new Error(`no verification mail to ${email}`);
  await client.verifyEmail({ token });
  return { identifier: email, password: PASSWORD };
}

/** The TOTP code of `secret` at the server's clock, one step ahead (never a replay). */
export async function nextTotp(server: TestServer, secret: string): Promise<string> {
  server.clock.advance(30_000);
  return totpCode(secret, DEFAULT_TOTP_PARAMS, server.clock.now());
}

/** The latest link token mailed to `to` for `kind`. */
export function mailedToken(server: TestServer, to: string, kind: string): string {
  const mail = server.mailer.find(to, kind as Parameters<MemoryMailer['find']>[1]);
  const token = mail === undefined ? undefined : server.mailer.extractToken(mail);
  if (token === undefined) throw new Error(`no ${kind} mail to ${to}`);
  return token;
}

/** A 6-digit code from the latest mail to `to`. */
export function mailedCode(server: TestServer, to: string): string {
  const code = /\b(\d{6})\b/.exec(server.mailer.last(to)?.text ?? '')?.[1];
  if (code === undefined) throw new Error(`no code mailed to ${to}`);
  return code;
}

/**
 * An in-process stand-in for `navigator.locks`: one exclusive lock per name, granted in
 * request order, released when the callback settles. Shared by the "tabs" of a test.
 */
export function memoryLocks(): LockManagerLike & { readonly grants: number } {
  const tails = new Map<string, Promise<unknown>>();
  let grants = 0;
  return {
    get grants() {
      return grants;
    },
    request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(() => {
        grants += 1;
        return callback({ name, mode: 'exclusive' });
      });
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}
