/**
 * A real OpenID Provider (`oidc-provider` 9) in-process on `http://127.0.0.1:<free port>`, for
 * tests of the relying party over real HTTP. No dev interactions: this file serves a minimal login
 * page of its own (`GET /interaction/:uid`, `POST /interaction/:uid/login`), which `browser.ts`
 * drives. Consent is granted on login (all requested scopes and claims).
 *
 * - PKCE (S256, the only method oidc-provider 9 knows) is required for every client.
 * - RFC 9207 `iss` in authorization responses and `response_mode=form_post` are always on in
 *   oidc-provider 9 (discovery says `authorization_response_iss_parameter_supported: true`).
 * - Scope claims (`email`, `profile`) go in the ID token as well as userinfo (like Google), unless
 *   `claimsInIdToken: false` (then oidc-provider's default: userinfo only, when an access token
 *   is issued).
 * - Silent: the runtime warning oidc-provider prints on import under Node 20 is filtered, every
 *   `shouldChange`/`mustChange` default is configured away, Koa's error logging is off.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type {
  Adapter,
  AdapterFactory,
  AdapterPayload,
  ClientMetadata,
  Configuration,
  InteractionResults,
} from 'oidc-provider';

type OidcProviderModule = typeof import('oidc-provider');
type Provider = InstanceType<OidcProviderModule['Provider']>;

/** Claims of one account, by `sub` (the `sub` itself is added). */
export interface AccountClaims {
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  preferred_username?: string;
  locale?: string;
  [claim: string]: unknown;
}

/** Rewrites the token endpoint's JSON answer (status 200 only); return nothing to keep it. */
export type TokenResponseHook = (
  body: Record<string, unknown>,
) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

export interface OidcProviderOptions {
  /** oidc-provider client metadata (`client_id`, `client_secret`, `redirect_uris`, ...). */
  clients: ClientMetadata[];
  /** `sub` → claims; `findAccount` reads it live (see `setAccount`). */
  accounts: Record<string, AccountClaims>;
  /** See `StartedOidcProvider.onTokenResponse`. */
  onTokenResponse?: TokenResponseHook;
  /** Scope claims in the ID token too (default `true`). */
  claimsInIdToken?: boolean;
  /** Require PKCE of every client (default `true`). */
  pkceRequired?: boolean;
  /** Extra scope → claims entries merged into the default `openid`/`email`/`profile` ones. */
  claims?: Record<string, string[]>;
}

export type SigningKeyName = 'provider' | 'foreign';

export interface SignIdTokenOptions {
  /** `provider` (in the JWKS, the default) or `foreign` (a key the provider never published). */
  key?: SigningKeyName;
  /** `RS256` (default), `HS256` (with `secret`, default the first client's secret), `none`. */
  alg?: 'RS256' | 'HS256' | 'none';
  /** Header `kid`; default the provider key's kid, also for the foreign key (a forgery's look). */
  kid?: string;
  /** HS256 secret. */
  secret?: string;
  /** Extra protected header members. */
  header?: Record<string, unknown>;
}

export interface StartedOidcProvider {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly issuer: string;
  /** `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** The oidc-provider instance (events, models) for anything not wrapped here. */
  readonly provider: Provider;
  /** Public JWKs: `provider` is in the JWKS, `foreign` is not. Both RS256, kid differs. */
  readonly publicKeys: Readonly<Record<SigningKeyName, JWK>>;
  /** Errors oidc-provider reported as `server_error` (a test can assert it is empty). */
  readonly serverErrors: Error[];
  /** Rewrites the token endpoint JSON before it leaves the server; settable at any time. */
  onTokenResponse: TokenResponseHook | undefined;
  /** `<issuer><path>`. */
  url(path: string): string;
  /** Adds or replaces an account. */
  setAccount(sub: string, claims: AccountClaims): void;
  /**
   * Signs an ID token. Defaults filled in: `iss` (issuer), `aud` (first client), `iat`, `exp`
   * (+10 min); `claims` override them.
   */
  signIdToken(claims: Record<string, unknown>, options?: SignIdTokenOptions): Promise<string>;
  close(): Promise<void>;
}

const RUNTIME_WARNING = 'oidc-provider WARNING: Unsupported runtime';
let loaded: Promise<OidcProviderModule> | undefined;

/** Imports oidc-provider without its "Unsupported runtime" warning (printed on import on Node 20). */
function loadOidcProvider(): Promise<OidcProviderModule> {
  loaded ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith(RUNTIME_WARNING)) return;
      warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return loaded;
}

/** The in-memory adapter oidc-provider wants (its own one warns), per provider instance. */
function memoryAdapter(): AdapterFactory {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    const findBy = (field: 'uid' | 'userCode', value: string) => {
      for (const [k, entry] of store) {
        if (k.startsWith(`${model}:`) && entry.payload[field] === value) return live(k);
      }
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000;
        store.set(key(id), { payload, expiresAt });
      },
      async find(id) {
        return live(key(id));
      },
      async findByUid(uid) {
        return findBy('uid', uid);
      },
      async findByUserCode(userCode) {
        return findBy('userCode', userCode);
      },
      async consume(id) {
        const payload = live(key(id));
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        // Called once per token model: only this model's entries (not the Interaction, say).
        for (const [k, entry] of store) {
          if (k.startsWith(`${model}:`) && entry.payload.grantId === grantId) store.delete(k);
        }
      },
    };
  };
}

async function rsaKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  return { privateKey, privateJwk, publicJwk };
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

const b64u = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Starts the provider. Close it in `afterAll`/`afterEach`.
 *
 * @example
 * ```ts
 * const op = await startOidcProvider({
 *   clients: [{ client_id: 'app', client_secret: 's3cret', redirect_uris: ['http://127.0.0.1:3000/cb'] }],
 *   accounts: { alice: { email: 'alice@example.com', email_verified: true, name: 'Alice' } },
 * });
 * // ... loginAtProvider(authorizationUrl, { sub: 'alice' }) → callback URL
 * await op.close();
 * ```
 */
export async function startOidcProvider(
  options: OidcProviderOptions,
): Promise<StartedOidcProvider> {
  const { Provider } = await loadOidcProvider();
  const accounts: Record<string, AccountClaims> = { ...options.accounts };
  const [providerKey, foreignKey] = await Promise.all([
    rsaKey('op-key-1'),
    rsaKey('foreign-key-1'),
  ]);

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const configuration: Configuration = {
    clients: options.clients,
    adapter: memoryAdapter(),
    jwks: { keys: [providerKey.privateJwk] },
    cookies: { keys: ['portcullis-test-op-cookie-key'] },
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: [
        'name',
        'given_name',
        'family_name',
        'middle_name',
        'nickname',
        'preferred_username',
        'picture',
        'locale',
        'updated_at',
      ],
      ...options.claims,
    },
    conformIdTokenClaims: options.claimsInIdToken === false,
    pkce: { required: () => options.pkceRequired ?? true },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = `<!DOCTYPE html><title>Logout</title>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = '<!DOCTYPE html><title>Signed out</title><p>Signed out.</p>';
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const claims = accounts[sub];
      if (claims === undefined) return undefined;
      return { accountId: sub, claims: () => ({ ...claims, sub }) };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>oidc-provider error</title><pre id="error">${escapeHtml(
        JSON.stringify(out),
      )}</pre>`;
    },
    clientBasedCORS: () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      PreAuthorizedCode: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.silent = true;
  const serverErrors: Error[] = [];
  provider.on('server_error', (_ctx: unknown, error: Error) => serverErrors.push(error));

  const started: StartedOidcProvider = {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    provider,
    publicKeys: { provider: providerKey.publicJwk, foreign: foreignKey.publicJwk },
    serverErrors,
    onTokenResponse: options.onTokenResponse,
    url: (path) => `${issuer}${path}`,
    setAccount(sub, claims) {
      accounts[sub] = claims;
    },
    async signIdToken(claims, signOptions = {}) {
      const now = Math.floor(Date.now() / 1000);
      const firstClient = options.clients[0];
      const payload = {
        iss: issuer,
        ...(firstClient === undefined ? {} : { aud: firstClient.client_id }),
        iat: now,
        exp: now + 600,
        ...claims,
      };
      const alg = signOptions.alg ?? 'RS256';
      if (alg === 'none')
        return `${b64u({ alg: 'none', ...signOptions.header })}.${b64u(payload)}.`;
      const header = {
        ...signOptions.header,
        alg,
        kid: signOptions.kid ?? providerKey.publicJwk.kid,
      };
      const jwt = new SignJWT(payload).setProtectedHeader(header);
      if (alg === 'HS256') {
        const secret = signOptions.secret ?? firstClient?.client_secret;
        if (secret === undefined) throw new Error('signIdToken: HS256 needs a secret');
        return jwt.sign(new TextEncoder().encode(secret));
      }
      return jwt.sign(
        (signOptions.key ?? 'provider') === 'provider'
          ? providerKey.privateKey
          : foreignKey.privateKey,
      );
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };

  // The token endpoint's JSON, rewritten before Koa serialises it: the client gets it over HTTP.
  provider.use(async (ctx, next) => {
    await next();
    const hook = started.onTokenResponse;
    if (
      hook === undefined ||
      ctx.method !== 'POST' ||
      ctx.path !== '/token' ||
      ctx.status !== 200 ||
      typeof ctx.body !== 'object' ||
      ctx.body === null
    ) {
      return;
    }
    const rewritten = await hook({ ...(ctx.body as Record<string, unknown>) });
    if (rewritten !== undefined) ctx.body = rewritten;
  });

  const interaction = interactionRoutes(provider, accounts);
  const callback = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendHtml(res, 400, `<pre id="error">${escapeHtml(String(error))}</pre>`);
        else res.end();
      });
      return;
    }
    void callback(req, res);
  };
  return started;
}

/**
 * The login page: `GET /interaction/:uid` (a form, `id="login"`), `POST /interaction/:uid/login`
 * with `sub=<account>` (login + consent) or `deny=1` (+ optional `error`, `error_description`:
 * the client gets that error, default `access_denied`).
 */
function interactionRoutes(provider: Provider, accounts: Record<string, AccountClaims>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://op.invalid');
    const [, , uid, action] = url.pathname.split('/');
    const details = await provider.interactionDetails(req, res);
    if (uid !== details.uid) throw new Error('interaction uid does not match its cookie');

    if (req.method === 'GET' && action === undefined) {
      const client = escapeHtml(String(details.params.client_id));
      sendHtml(
        res,
        200,
        `<!DOCTYPE html><title>Sign in</title>
<p>${escapeHtml(details.prompt.name)} for <b>${client}</b></p>
<form id="login" method="post" action="/interaction/${uid}/login">
  <input name="sub" placeholder="account" autofocus>
  <button>Sign in</button>
  <button name="deny" value="1">Deny</button>
</form>`,
      );
      return;
    }
    if (req.method !== 'POST' || action !== 'login') {
      sendHtml(res, 404, 'not found');
      return;
    }

    const form = await readForm(req);
    if (form.get('deny') !== null) {
      await provider.interactionFinished(
        req,
        res,
        {
          error: form.get('error') ?? 'access_denied',
          error_description: form.get('error_description') ?? 'End-User denied the request',
        },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    let accountId = details.session?.accountId;
    const login = details.prompt.name === 'login' || accountId === undefined;
    if (login) {
      const sub = form.get('sub') ?? '';
      if (accounts[sub] === undefined) throw new Error(`unknown account "${sub}"`);
      accountId = sub;
    }
    if (accountId === undefined) throw new Error('no account');
    const existing =
      details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId);
    const grant =
      existing?.accountId === accountId
        ? existing
        : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const missingClaims = details.prompt.details.missingOIDCClaims;
    if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims as string[]);
    const result: InteractionResults = {
      ...(login ? { login: { accountId } } : {}),
      consent: { grantId: await grant.save() },
    };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  };
}
