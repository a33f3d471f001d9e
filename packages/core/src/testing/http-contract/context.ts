import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Auth } from '../../create-auth.js';
import type { AuthEvent } from '../../events/types.js';
import { type MemoryMailer, memoryMailer } from '../../mail/memory.js';
import type { MailKind } from '../../mail/types.js';
import { type FakeClock, fakeClock } from '../fake-clock.js';
import {
  ContractClient,
  type ContractRequestOptions,
  type ContractResponse,
  type Exchange,
} from './client.js';
import {
  APP_URL,
  type ContractSetupOptions,
  type ContractVariant,
  makeContractAuth,
  T0,
} from './make-auth.js';
import { type ContractProvider, startContractProvider } from './oauth-provider.js';
import { OpenApiChecker } from './openapi.js';

export type { ContractAuthConfig, ContractVariant } from './make-auth.js';
export { APP_URL, CORS_ORIGIN, TRUSTED_ORIGIN } from './make-auth.js';

const HOUR_MS = 3_600_000;
const REFRESH_COOKIE_NAME = '__Secure-portcullis.refresh';

/** What starts a server around an Auth: the argument of `describeHttpContract`. */
export type StartServer = (auth: Auth) => Promise<{
  /** Origin of the running server, e.g. `http://127.0.0.1:54321`. */
  baseUrl: string;
  /** Stops the server. */
  close(): Promise<void>;
}>;

/** An account the suite created through the API. */
export interface Account {
  readonly email: string;
  readonly password: string;
  readonly username: string;
}

/** A client signed in as an account. */
export interface SignedIn {
  readonly client: ContractClient;
  /** The login response body. */
  readonly login: Record<string, unknown>;
  readonly userId: string;
}

/** Everything a group of contract checks needs; valid inside `it` blocks. */
export interface ContractContext {
  readonly variant: ContractVariant;
  readonly basePath: string;
  readonly mailer: MemoryMailer;
  readonly clock: FakeClock;
  /** Every log line the Auth wrote. */
  readonly logs: string[];
  /** Every event the Auth emitted. */
  readonly events: AuthEvent[];
  /** Every exchange of every client. */
  readonly exchanges: Exchange[];
  /** Checks every exchange against the OpenAPI document and records what was covered. */
  readonly openApi: OpenApiChecker;
  /** The suite's OAuth 2 provider (`/oauth/contract/...`), on a loopback port. */
  oauthProvider(): ContractProvider;
  auth(): Auth;
  /** A fresh client (no cookies, no tokens). */
  client(userAgent?: string): ContractClient;
  /** A new, unique account (not registered). */
  newAccount(): Account;
  /** Registers `account` (a new one by default) and, unless told otherwise, verifies it. */
  signUp(options?: { account?: Account; verify?: boolean }): Promise<Account>;
  /** Signs in through `POST /login` on a new client and makes it authenticated. */
  signIn(account: Account, userAgent?: string): Promise<SignedIn>;
  /**
   * `POST /token/refresh` from a fresh client with `refreshToken`: in the refresh cookie (scoped
   * to its path) or in the body, as the variant's transport says.
   */
  refresh(refreshToken: string, options?: ContractRequestOptions): Promise<ContractResponse>;
  /** The token of the latest mail of `kind` to `to`, waiting for it (mail goes in the background). */
  mailToken(to: string, kind: MailKind): Promise<string>;
}

/**
 * Registers `beforeAll`/`afterAll`/`beforeEach` in the current describe block: one Auth of
 * `variant` on memory storage with a fake clock, served by `start`.
 */
export function useContract(
  start: StartServer,
  variant: ContractVariant,
  options: ContractSetupOptions,
): ContractContext {
  const clock = fakeClock(T0);
  const mailer = memoryMailer({ appUrl: APP_URL });
  const logs: string[] = [];
  const events: AuthEvent[] = [];
  const exchanges: Exchange[] = [];
  const basePath = options.basePath ?? '/api/auth';
  const openApi = new OpenApiChecker(basePath);
  let auth: Auth | undefined;
  let server: { baseUrl: string; close(): Promise<void> } | undefined;
  let provider: ContractProvider | undefined;
  let counter = 0;
  beforeAll(async () => {
    provider = await startContractProvider();
    const withProvider: ContractSetupOptions = {
      ...options,
      config: {
        ...options.config,
        // Magic links are off by default; the suite checks their routes.
        magicLink: { ...options.config?.magicLink },
        oauth: {
          ...options.config?.oauth,
          providers: [provider.provider, ...(options.config?.oauth?.providers ?? [])],
        },
      },
    };
    auth = await makeContractAuth({
      variant,
      basePath,
      options: withProvider,
      mailer,
      clock,
      logs,
      events,
    });
    server = await start(auth);
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
    await provider?.close();
  });
  // Each check starts an hour later: throttling windows (per address, per IP) of earlier checks
  // have passed, and nothing a check leaves behind is mistaken for its own.
  beforeEach(() => {
    clock.advance(HOUR_MS);
  });

  const ctx: ContractContext = {
    variant,
    basePath,
    mailer,
    clock,
    logs,
    events,
    exchanges,
    openApi,
    auth: () => auth ?? fail('no Auth yet (use the context inside it blocks)'),
    oauthProvider: () => provider ?? fail('no provider yet (use the context inside it blocks)'),
    client: (userAgent = 'portcullis-contract/1') =>
      new ContractClient({
        baseUrl: server?.baseUrl ?? fail('no server yet'),
        basePath,
        appOrigin: APP_URL,
        now: clock.now,
        log: exchanges,
        userAgent,
        check: (exchange) => openApi.check(exchange),
      }),
    newAccount() {
      counter += 1;
      return {
        email: `member${counter}@example.com`,
        password: `violet tangerine orbit ${counter}`,
        username: `member_${counter}`,
      };
    },
    async signUp({ account = ctx.newAccount(), verify = true } = {}) {
      const res = await ctx.client().request('POST', '/register', { json: account });
      if (res.status !== 202) fail(`register answered ${res.status}: ${res.text}`);
      if (verify) {
        const token = await ctx.mailToken(account.email, 'verify-email');
        const ok = await ctx.client().request('POST', '/email/verify', { json: { token } });
        if (ok.status !== 200) fail(`verify answered ${ok.status}: ${ok.text}`);
      }
      return account;
    },
    async signIn(account, userAgent) {
      const client = ctx.client(userAgent);
      const res = await client.request('POST', '/login', {
        json: { identifier: account.email, password: account.password },
      });
      const login = res.body as Record<string, unknown> & { user?: { id?: string } };
      if (res.status !== 200) fail(`login answered ${res.status}: ${res.text}`);
      if (variant.strategy === 'jwt') {
        client.bearer = String(login.accessToken);
        if (typeof login.refreshToken === 'string') client.refreshToken = login.refreshToken;
      } else {
        await client.fetchCsrf();
      }
      return { client, login, userId: String(login.user?.id) };
    },
    refresh(refreshToken, options = {}) {
      const client = ctx.client();
      if (variant.transport === 'body') {
        return client.request('POST', '/token/refresh', { json: { refreshToken }, ...options });
      }
      client.jar.set(REFRESH_COOKIE_NAME, refreshToken, `${basePath}/token/refresh`);
      return client.request('POST', '/token/refresh', options);
    },
    async mailToken(to, kind) {
      // Waits: flows that answer alike for known and unknown addresses mail in the background.
      const mail = await mailer.waitFor(to, kind).catch(() => fail(`no ${kind} mail to ${to}`));
      return mailer.extractToken(mail) ?? fail(`no token in the ${kind} mail`);
    },
  };
  return ctx;
}

function fail(message: string): never {
  throw new Error(`http contract: ${message}`);
}
