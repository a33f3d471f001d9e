// The app side of the social sign-in tests: core's HTTP handler called in-process, a cookie
// jar per browser, and a sign-in that goes to a provider and back over real HTTP.
import { expect } from 'vitest';
import { createHttpHandler } from '../../../src/http/index.js';
import {
  type AuthEvent,
  createAuth,
  memoryMailer,
  memoryStorage,
  type OAuthProvider,
} from '../../../src/index.js';
import type { Storage } from '../../../src/storage/index.js';
import { fakeClock } from '../../../src/testing/index.js';
import { cheapHasher } from '../../access-tokens/helpers.js';
import { type LoginAs, loginAtProvider, CookieJar as ProviderJar } from './browser.js';

/** The app's origin in these tests. */
export const APP = 'https://app.test';
/** The callback URL of provider `id`, as registered at the provider. */
export const CALLBACK = (id: string) => `${APP}/api/auth/oauth/${id}/callback`;
/** A password for accounts made with one. */
export const PASSWORD = 'violet tangerine orbit';

/** A browser: the app's cookies by name (the handler is called in-process). */
export class AppJar {
  readonly cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** An Auth with `providers` behind its HTTP handler, and helpers to drive it like a browser. */
export async function appWorld(options: {
  providers: readonly OAuthProvider[];
  storage?: Storage;
  verificationRequired?: boolean;
  rateLimits?: { oauthPerIp: { limit: number; windowSeconds: number } };
  now?: number;
}) {
  const clock = fakeClock(options.now ?? Date.now());
  const events: AuthEvent[] = [];
  const logs: string[] = [];
  const storage = options.storage ?? memoryStorage();
  const mailer = memoryMailer({ appUrl: APP });
  const log = (m: string, f?: object) => logs.push(`${m} ${JSON.stringify(f ?? {})}`);
  const auth = createAuth({
    storage,
    mailer,
    appUrl: APP,
    secret: 's'.repeat(32),
    clock,
    password: { hasher: await cheapHasher() },
    logger: { debug: () => {}, info: log, warn: log, error: log },
    onEvent: (e) => {
      events.push(e);
    },
    oauth: { providers: options.providers },
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    emailVerification: { required: options.verificationRequired ?? true },
  });
  const handler = createHttpHandler(auth);
  const call = async (
    jar: AppJar,
    method: string,
    url: string,
    init: { body?: Record<string, unknown>; form?: URLSearchParams; crossSite?: boolean } = {},
  ) => {
    const headers: Record<string, string> = {};
    const cookie = jar.header();
    if (cookie) headers.cookie = cookie;
    if (init.crossSite) headers['sec-fetch-site'] = 'cross-site';
    else if (method !== 'GET') headers.origin = APP;
    const csrf = [...jar.cookies].find(([k]) => k.endsWith('portcullis.csrf'))?.[1];
    if (csrf !== undefined && method !== 'GET') headers['x-csrf-token'] = csrf;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = init.form.toString();
    }
    const full = url.startsWith('http') ? url : `${APP}/api/auth${url}`;
    const request = new Request(full, { method, headers, ...(body === undefined ? {} : { body }) });
    const res = await handler(request, { remoteAddress: '203.0.113.9' });
    jar.store(res);
    return res;
  };
  /** Starts at the app, signs in at the provider, and comes back: the callback's answer. */
  const signInWith = async (
    as: string | LoginAs,
    options: { jar?: AppJar; provider?: string; redirectTo?: string } = {},
  ) => {
    const jar = options.jar ?? new AppJar();
    const id = options.provider ?? 'oidc';
    const query =
      options.redirectTo === undefined
        ? ''
        : `?redirectTo=${encodeURIComponent(options.redirectTo)}`;
    const start = await call(jar, 'GET', `/oauth/${id}/authorize${query}`);
    expect(start.status).toBe(302);
    const at = await loginAtProvider(
      start.headers.get('location') as string,
      typeof as === 'string' ? { sub: as } : as,
      new ProviderJar(),
    );
    if (!('callbackUrl' in at)) throw new Error('expected a query callback');
    const back = await call(jar, 'GET', at.callbackUrl, { crossSite: true });
    return {
      jar,
      start,
      callbackUrl: at.callbackUrl,
      back,
      location: back.headers.get('location'),
    };
  };
  /** The signed-in user of `jar`, or `undefined`. */
  const session = async (jar: AppJar) => {
    const res = await call(jar, 'GET', '/session');
    return res.status === 200
      ? ((await res.json()) as { user: { id: string; email: string; firstName?: string } })
      : undefined;
  };
  /** Registers `email` with a password, verified or not; resolves to the stored user. */
  const registered = async (email: string, verify: boolean) => {
    await auth.register({ email, password: PASSWORD });
    if (verify) {
      const token = mailer.extractToken(mailer.last() ?? expect.fail('no mail'));
      await auth.verifyEmail(token ?? expect.fail('no token'));
    }
    const user = await storage.users.getByEmail(email);
    if (user === undefined) throw new Error('not registered');
    return user;
  };
  return { auth, storage, mailer, clock, events, logs, call, signInWith, session, registered };
}

/** What {@link appWorld} resolves to. */
export type AppWorld = Awaited<ReturnType<typeof appWorld>>;
