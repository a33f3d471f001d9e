/**
 * Local servers that answer like GitHub, Google and Microsoft Entra ID document (paths, JSON
 * shapes, status codes, content types), each on `http://127.0.0.1:<free port>`, so a preset can
 * be pointed at them. Authorization endpoints approve at once: they redirect to `redirect_uri`
 * with `code` and `state` (or with the error set by `failNext`). Token endpoints check the
 * client, the code (single use, 10 min), `redirect_uri` and PKCE (when a `code_challenge` was
 * sent; S256, and `plain` where the provider allows it).
 *
 * ## oauth4webapi 3.8 against these shapes (what the smoke test proves)
 *
 * **Entra ID multi-tenant (`common`, `organizations`): the `{tenantid}` issuer template.**
 * 1. Discovery: `processDiscoveryResponse(expected, response)` compares
 *    `new URL(metadata.issuer).href` with `expected.href`; the metadata issuer is the literal
 *    `<base>/{tenantid}/v2.0`, so `expected = new URL('<base>/common/v2.0')` throws
 *    (`OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED`). What works with the public API: pass the
 *    template itself, `new URL('<base>/{tenantid}/v2.0')` (both sides go through `URL`, which
 *    percent-encodes `{`/`}` the same way). `consumers` publishes `<base>/9188040d-…/v2.0` (the
 *    MSA tenant), not `<base>/consumers/v2.0`: expect that. (`oauth._nodiscoverycheck`, a symbol
 *    exported by index.js but absent from index.d.ts, skips the check; not needed.)
 * 2. ID token `iss`: oauth4webapi checks `claims.iss === (as[_expectedIssuer]?.(jwt) ?? as.issuer)`.
 *    With `as.issuer` = the template every token fails ("unexpected JWT "iss" (issuer) claim
 *    value"). Fix: `as[oauth._expectedIssuer] = ({ claims }) => template.replace('{tenantid}',
 *    claims.tid)`. `_expectedIssuer` is exported by index.js but NOT declared in index.d.ts
 *    (internal; openid-client 6 sets exactly this for login.microsoftonline.com
 *    common/organizations), so in TS: `(oauth as unknown as { _expectedIssuer: symbol })`.
 *    The function gets `{ header, claims }` of the not yet signature-checked token and returns
 *    the expected `iss`; validate `tid` yourself (a GUID; not the MSA tenant for `organizations`;
 *    only the MSA tenant for `consumers`). Public-API alternative: read `tid` from the ID token
 *    of `response.clone()` and call `processAuthorizationCodeResponse` with
 *    `{ ...as, issuer: '<base>/<tid>/v2.0' }`.
 * 3. Entra sends no `iss` authorization response parameter and its metadata does not claim RFC
 *    9207, so `validateAuthResponse` with the template `as.issuer` passes. Google sends
 *    `iss=https://accounts.google.com` without advertising it: checked when present, matches.
 *
 * **ID token signatures**: `processAuthorizationCodeResponse` validates the ID token's claims
 * (iss, aud, azp, exp, iat, nonce, sub) but NOT its signature (token endpoint over TLS, OIDC Core
 * 3.1.3.7). A token signed with a foreign key but correct claims passes; only
 * `validateApplicationLevelSignature(as, response)` (same `Response` object, fetches `jwks_uri`)
 * rejects it. Claim tampering (aud, nonce, iss, exp) is rejected by the processing call itself.
 *
 * **form_post**: `validateAuthResponse(as, client, new URLSearchParams(postedBody), state)`;
 * `authorizationCodeGrantRequest` gets the registered `redirect_uri` string.
 *
 * **GitHub (OAuth 2, no OIDC)**: hand-made `as` (`issuer` must be a string, any URL;
 * `authorization_endpoint`, `token_endpoint`); `validateAuthResponse` (no `iss`: fine);
 * `authorizationCodeGrantRequest(..., ClientSecretPost(secret), ..., verifier)`;
 * `processAuthorizationCodeResponse(as, client, response)` WITHOUT `expectedNonce` /
 * `requireIdToken` / `maxAge` (any of them demands an ID token) accepts
 * `{access_token, token_type: 'bearer', scope: 'read:user,user:email'}`. GitHub's error answer
 * (HTTP 200 + `{"error":"bad_verification_code",…}`) is not recognised as an OAuth error: it
 * throws `OperationProcessingError` `OAUTH_INVALID_RESPONSE` ('"response" body "access_token"
 * property must be a string'), the body in `err.cause.body` — not `ResponseBodyError`. The API
 * calls are plain `fetch` (or `protectedResourceRequest`).
 *
 * Every oauth4webapi request function needs `{ [oauth.allowInsecureRequests]: true }` here (http).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { TokenResponseHook } from './op.js';

/** What `failNext` sends back to the client instead of a code. */
export interface AuthorizationErrorAnswer {
  error: string;
  error_description?: string;
  error_uri?: string;
  [param: string]: string | undefined;
}

export interface TokenRequestRecord {
  /** The form body (and, for GitHub, query) parameters. */
  params: Record<string, string>;
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
}

export interface ShapeOptions {
  clientId?: string;
  clientSecret?: string;
}

export interface ShapeControls<User> {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The identity of the next sign-ins: the defaults, overridden by `user`. */
  setUser(user?: Partial<User>): void;
  /** The next authorization request is answered with this error (then back to approving). */
  failNext(error: AuthorizationErrorAnswer): void;
  /** The query of the last authorization request (PKCE, nonce, state, scope...). */
  lastAuthorization(): Record<string, string> | undefined;
  lastTokenRequest(): TokenRequestRecord | undefined;
  /** Rewrites a successful token endpoint answer before it is sent. */
  onTokenResponse: TokenResponseHook | undefined;
  close(): Promise<void>;
}

export interface IdTokenSigner {
  /** The JWKS key (public) of this server. */
  readonly publicKey: JWK;
  /** Signs claims with this server's key (for `onTokenResponse` rewrites). */
  signIdToken(claims: Record<string, unknown>): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// Shared plumbing

interface Granted<User> {
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | undefined;
  challenge: { value: string; method: string } | undefined;
  user: User;
  tenant: string;
  expiresAt: number;
  used: boolean;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

async function serve(route: Route): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    route(req, res, url).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', message: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Back to the client: 302 with query (default) or fragment, or an auto-submitting form_post. */
function toClient(
  res: ServerResponse,
  redirectUri: string,
  params: Record<string, string | undefined>,
  responseMode = 'query',
) {
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  if (responseMode === 'form_post') {
    const inputs = defined
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}"/>`)
      .join('');
    sendHtml(
      res,
      200,
      `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`,
    );
    return;
  }
  const target = new URL(redirectUri);
  const encoded = new URLSearchParams(defined);
  if (responseMode === 'fragment') target.hash = encoded.toString();
  else for (const [k, v] of encoded) target.searchParams.append(k, v);
  res.writeHead(302, { location: target.href });
  res.end();
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** `client_secret_basic` credentials (RFC 6749 2.3.1: form-encoded, then Basic). */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const formDecode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

function bearer(req: IncomingMessage, schemes = /^bearer /i): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !schemes.test(header)) return undefined;
  return header.slice(header.indexOf(' ') + 1).trim();
}

type RedeemFailure =
  | 'invalid_client'
  | 'invalid_grant'
  | 'redirect_uri_mismatch'
  | 'pkce_missing'
  | 'pkce_mismatch';

/** State and checks every shape shares; the provider-specific parts are in each `start…`. */
class ShapeState<User> {
  user: User;
  failure: AuthorizationErrorAnswer | undefined;
  lastAuthorization: Record<string, string> | undefined;
  lastTokenRequest: TokenRequestRecord | undefined;
  readonly codes = new Map<string, Granted<User>>();
  readonly tokens = new Map<string, Granted<User>>();
  #controls: ShapeControls<User> | undefined;

  constructor(
    readonly defaults: User,
    readonly clientId: string,
    readonly clientSecret: string,
  ) {
    this.user = structuredClone(defaults);
  }

  /** Records the request; returns an answer for the client (error) or a new code. */
  authorize(
    query: URLSearchParams,
    tenant = '',
  ):
    | { error: AuthorizationErrorAnswer }
    | { code: string; granted: Granted<User> }
    | { page: string } {
    this.lastAuthorization = Object.fromEntries(query);
    if (query.get('client_id') !== this.clientId) return { page: 'unknown client_id' };
    const redirectUri = query.get('redirect_uri');
    if (redirectUri === null || URL.parse(redirectUri) === null) {
      return { page: 'redirect_uri missing or invalid' };
    }
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) return { error: failure };
    const challenge = query.get('code_challenge');
    const granted: Granted<User> = {
      clientId: this.clientId,
      redirectUri,
      scope: query.get('scope') ?? '',
      nonce: query.get('nonce') ?? undefined,
      challenge:
        challenge === null
          ? undefined
          : { value: challenge, method: query.get('code_challenge_method') ?? 'plain' },
      user: structuredClone(this.user),
      tenant,
      expiresAt: Date.now() + 10 * 60_000,
      used: false,
    };
    const code = randomToken(24);
    this.codes.set(code, granted);
    return { code, granted };
  }

  /** Token endpoint checks; `basic` says whether client_secret_basic is accepted. */
  redeem(
    req: IncomingMessage,
    params: URLSearchParams,
    options: { basic: boolean; redirectUriRequired: boolean },
  ): Granted<User> | RedeemFailure {
    this.lastTokenRequest = {
      params: Object.fromEntries(params),
      authorization: req.headers.authorization,
    };
    const basic = options.basic ? basicCredentials(req) : undefined;
    const id = basic?.id ?? params.get('client_id');
    const secret = basic?.secret ?? params.get('client_secret');
    if (id !== this.clientId || secret !== this.clientSecret) return 'invalid_client';
    const granted = this.codes.get(params.get('code') ?? '');
    if (granted === undefined || granted.used || granted.expiresAt < Date.now()) {
      return 'invalid_grant';
    }
    granted.used = true;
    const redirectUri = params.get('redirect_uri');
    if (redirectUri === null ? options.redirectUriRequired : redirectUri !== granted.redirectUri) {
      return 'redirect_uri_mismatch';
    }
    if (granted.challenge !== undefined) {
      const verifier = params.get('code_verifier');
      if (verifier === null) return 'pkce_missing';
      const computed = granted.challenge.method === 'S256' ? s256(verifier) : verifier;
      if (computed !== granted.challenge.value) return 'pkce_mismatch';
    }
    return granted;
  }

  async tokenBody(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await this.#controls?.onTokenResponse?.({ ...body })) ?? body;
  }

  /** The object handed to tests (its `onTokenResponse` is read at each token request). */
  controls(server: { baseUrl: string; close(): Promise<void> }): ShapeControls<User> {
    this.#controls = {
      baseUrl: server.baseUrl,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      setUser: (user = {}) => {
        this.user = { ...structuredClone(this.defaults), ...user };
      },
      failNext: (error) => {
        this.failure = error;
      },
      lastAuthorization: () => this.lastAuthorization,
      lastTokenRequest: () => this.lastTokenRequest,
      onTokenResponse: undefined,
      close: server.close,
    };
    return this.#controls;
  }
}

async function rsaSigner(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ ...header, alg: 'RS256', kid }).sign(privateKey);
  return { publicJwk, sign };
}

/** OIDC `at_hash`: left half of SHA-256 of the access token, base64url. */
const atHash = (accessToken: string) =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

const epoch = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------
// GitHub

export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility: 'public' | 'private' | null;
}

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  /** The public profile email (`null` when the user keeps it private). */
  email: string | null;
  avatar_url: string;
  /** What `GET /user/emails` lists (needs scope `user:email` or `user`). */
  emails: GitHubEmail[];
}

export const GITHUB_DEFAULT_USER: GitHubUser = {
  id: 12345,
  login: 'octocat',
  name: 'Mona Octocat',
  email: null,
  avatar_url: 'https://avatars.githubusercontent.com/u/12345?v=4',
  emails: [
    { email: 'octocat@example.com', primary: true, verified: true, visibility: 'private' },
    { email: 'octo-old@example.org', primary: false, verified: false, visibility: null },
  ],
};

export interface GitHubShape extends ShapeControls<GitHubUser> {
  /** `<base>/login/oauth/authorize` */
  readonly authorizeUrl: string;
  /** `<base>/login/oauth/access_token` */
  readonly tokenUrl: string;
  /** `<base>/api` (what `https://api.github.com` is): `/user`, `/user/emails`. */
  readonly apiUrl: string;
}

const GITHUB_DOCS = 'https://docs.github.com/apps/managing-oauth-apps';
const githubError = (error: string, description: string, anchor: string) => ({
  error,
  error_description: description,
  error_uri: `${GITHUB_DOCS}/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`,
});

/**
 * GitHub: OAuth 2 only. The access token endpoint answers JSON when asked (`Accept:
 * application/json`), form-encoded otherwise, and answers errors with HTTP 200. PKCE: S256
 * only; a PKCE failure answers like a bad code (GitHub does not document that body).
 */
export async function startGitHub(options: ShapeOptions = {}): Promise<GitHubShape> {
  const state = new ShapeState(
    GITHUB_DEFAULT_USER,
    options.clientId ?? 'github-client-id',
    options.clientSecret ?? 'github-client-secret',
  );
  const server = await serve(async (req, res, url) => {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /login/oauth/authorize') {
      const outcome = state.authorize(url.searchParams);
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      const echo = { state: url.searchParams.get('state') ?? undefined };
      if ('page' in outcome) return sendHtml(res, 404, escapeHtml(outcome.page));
      if ('error' in outcome) return toClient(res, redirectUri, { ...outcome.error, ...echo });
      const method = url.searchParams.get('code_challenge_method');
      if (outcome.granted.challenge !== undefined && method !== 'S256') {
        return sendHtml(res, 400, 'code_challenge_method must be S256');
      }
      return toClient(res, redirectUri, { code: outcome.code, ...echo });
    }

    if (route === 'POST /login/oauth/access_token') {
      const params = await readForm(req);
      for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
      const granted = state.redeem(req, params, { basic: false, redirectUriRequired: false });
      const json = /application\/json/i.test(req.headers.accept ?? '');
      const answer = (body: Record<string, unknown>) => {
        if (json) return sendJson(res, 200, body);
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
        res.end(new URLSearchParams(body as Record<string, string>).toString());
      };
      if (granted === 'invalid_client') {
        return answer(
          githubError(
            'incorrect_client_credentials',
            'The client_id and/or client_secret passed are incorrect.',
            'incorrect-client-credentials',
          ),
        );
      }
      if (granted === 'redirect_uri_mismatch') {
        return answer(
          githubError(
            'redirect_uri_mismatch',
            'The redirect_uri MUST match the registered callback URL for this application.',
            'redirect-uri-mismatch',
          ),
        );
      }
      if (typeof granted === 'string') {
        return answer(
          githubError(
            'bad_verification_code',
            'The code passed is incorrect or expired.',
            'bad-verification-code',
          ),
        );
      }
      const accessToken = `gho_${randomBytes(18).toString('hex')}`;
      state.tokens.set(accessToken, granted);
      const scope = granted.scope
        .split(/[\s,]+/)
        .filter(Boolean)
        .join(',');
      return answer(
        await state.tokenBody({ access_token: accessToken, token_type: 'bearer', scope }),
      );
    }

    if (
      req.method === 'GET' &&
      (url.pathname === '/api/user' || url.pathname === '/api/user/emails')
    ) {
      const token = bearer(req, /^(bearer|token) /i);
      const granted = token === undefined ? undefined : state.tokens.get(token);
      if (granted === undefined) {
        return sendJson(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
      }
      const scopes = granted.scope.split(/[\s,]+/).filter(Boolean);
      const headers = { 'x-oauth-scopes': scopes.join(', ') };
      const user = granted.user;
      if (url.pathname === '/api/user/emails') {
        if (!scopes.includes('user:email') && !scopes.includes('user')) {
          return sendJson(
            res,
            404,
            {
              message: 'Not Found',
              documentation_url:
                'https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user',
              status: '404',
            },
            { ...headers, 'x-accepted-oauth-scopes': 'user, user:email' },
          );
        }
        return sendJson(res, 200, user.emails, headers);
      }
      const api = `${server.baseUrl}/api`;
      return sendJson(
        res,
        200,
        {
          login: user.login,
          id: user.id,
          node_id: Buffer.from(`04:User${user.id}`).toString('base64'),
          avatar_url: user.avatar_url,
          gravatar_id: '',
          url: `${api}/users/${user.login}`,
          html_url: `https://github.com/${user.login}`,
          type: 'User',
          site_admin: false,
          name: user.name,
          company: null,
          blog: '',
          location: null,
          email: user.email,
          hireable: null,
          bio: null,
          twitter_username: null,
          public_repos: 2,
          public_gists: 1,
          followers: 20,
          following: 0,
          created_at: '2011-01-25T18:44:36Z',
          updated_at: '2024-01-22T12:00:00Z',
        },
        headers,
      );
    }
    return sendJson(res, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
    });
  });
  return Object.assign(state.controls(server), {
    authorizeUrl: `${server.baseUrl}/login/oauth/authorize`,
    tokenUrl: `${server.baseUrl}/login/oauth/access_token`,
    apiUrl: `${server.baseUrl}/api`,
  });
}

// ---------------------------------------------------------------------------------------------
// Google

export interface GoogleUser {
  /** A numeric string, stable per Google account. */
  sub: string;
  email: string;
  email_verified: boolean;
  /** Google Workspace domain, absent for consumer (gmail.com) accounts. */
  hd?: string | undefined;
  name?: string | undefined;
  given_name?: string | undefined;
  family_name?: string | undefined;
  picture?: string | undefined;
}

export const GOOGLE_DEFAULT_USER: GoogleUser = {
  sub: '110169484474386276334',
  email: 'alice.example@gmail.com',
  email_verified: true,
  name: 'Alice Example',
  given_name: 'Alice',
  family_name: 'Example',
  picture: 'https://lh3.googleusercontent.com/a/ACg8ocJ-alice=s96-c',
};

export interface GoogleShape extends ShapeControls<GoogleUser>, IdTokenSigner {
  /** The issuer (= base URL here; `https://accounts.google.com` for real). */
  readonly issuer: string;
  readonly discoveryUrl: string;
}

const GOOGLE_SCOPES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/** What an email/profile scope grants of a Google user (ID token and userinfo alike). */
function googleClaims(user: GoogleUser, scope: string): Record<string, unknown> {
  const scopes = new Set(
    scope
      .split(' ')
      .map((s) =>
        s === GOOGLE_SCOPES.email ? 'email' : s === GOOGLE_SCOPES.profile ? 'profile' : s,
      ),
  );
  return {
    ...(user.hd === undefined ? {} : { hd: user.hd }),
    ...(scopes.has('email') ? { email: user.email, email_verified: user.email_verified } : {}),
    ...(scopes.has('profile')
      ? {
          name: user.name,
          picture: user.picture,
          given_name: user.given_name,
          family_name: user.family_name,
        }
      : {}),
  };
}

/**
 * Google (OIDC): discovery with Google's field set, `/o/oauth2/v2/auth` (sends `iss` in the
 * response like Google does), `/token` (client_secret_post or _basic; PKCE S256 or plain),
 * `/oauth2/v3/certs`, `/v1/userinfo`. ID tokens RS256 with Google's claims.
 */
export async function startGoogle(options: ShapeOptions = {}): Promise<GoogleShape> {
  const state = new ShapeState(
    GOOGLE_DEFAULT_USER,
    options.clientId ?? '1234567890-test.apps.googleusercontent.com',
    options.clientSecret ?? 'GOCSPX-test-secret',
  );
  const signer = await rsaSigner(randomBytes(20).toString('hex'));
  const server = await serve(async (req, res, url) => {
    const base = server.baseUrl;
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /.well-known/openid-configuration') {
      return sendJson(res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/o/oauth2/v2/auth`,
        device_authorization_endpoint: `${base}/device/code`,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/v1/userinfo`,
        revocation_endpoint: `${base}/revoke`,
        jwks_uri: `${base}/oauth2/v3/certs`,
        response_types_supported: [
          'code',
          'token',
          'id_token',
          'code token',
          'code id_token',
          'token id_token',
          'code token id_token',
          'none',
        ],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'email', 'profile'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        claims_supported: [
          'aud',
          'email',
          'email_verified',
          'exp',
          'family_name',
          'given_name',
          'iat',
          'iss',
          'name',
          'picture',
          'sub',
        ],
        code_challenge_methods_supported: ['plain', 'S256'],
        grant_types_supported: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
        ],
      });
    }
    if (route === 'GET /oauth2/v3/certs') return sendJson(res, 200, { keys: [signer.publicJwk] });

    if (route === 'GET /o/oauth2/v2/auth') {
      const outcome = state.authorize(url.searchParams);
      if ('page' in outcome) {
        return sendHtml(res, 400, `Error 400: invalid_request. ${escapeHtml(outcome.page)}`);
      }
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      const mode = url.searchParams.get('response_mode') ?? 'query';
      const echo = { state: url.searchParams.get('state') ?? undefined };
      if ('error' in outcome)
        return toClient(res, redirectUri, { ...outcome.error, ...echo }, mode);
      const { granted, code } = outcome;
      const scope = granted.scope
        .split(' ')
        .map((s) => GOOGLE_SCOPES[s] ?? s)
        .join(' ');
      return toClient(
        res,
        redirectUri,
        {
          ...echo,
          iss: base,
          code,
          scope,
          authuser: '0',
          ...(granted.user.hd === undefined ? {} : { hd: granted.user.hd }),
          prompt: 'consent',
        },
        mode,
      );
    }

    if (route === 'POST /token') {
      const params = await readForm(req);
      if (params.get('grant_type') !== 'authorization_code') {
        return sendJson(res, 400, {
          error: 'unsupported_grant_type',
          error_description: `Invalid grant_type: ${params.get('grant_type') ?? ''}`,
        });
      }
      const granted = state.redeem(req, params, { basic: true, redirectUriRequired: true });
      if (granted === 'invalid_client') {
        return sendJson(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
      }
      if (granted === 'redirect_uri_mismatch') {
        return sendJson(res, 400, {
          error: 'redirect_uri_mismatch',
          error_description: 'Bad Request',
        });
      }
      if (granted === 'pkce_missing') {
        return sendJson(res, 400, {
          error: 'invalid_grant',
          error_description: 'Missing code verifier.',
        });
      }
      if (granted === 'pkce_mismatch') {
        return sendJson(res, 400, {
          error: 'invalid_grant',
          error_description: 'Invalid code verifier.',
        });
      }
      if (typeof granted === 'string') {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
      }
      const accessToken = `ya29.${randomToken(60)}`;
      state.tokens.set(accessToken, granted);
      const scopes = granted.scope.split(' ').map((s) => GOOGLE_SCOPES[s] ?? s);
      const now = epoch();
      const idToken = scopes.includes('openid')
        ? await signer.sign(
            {
              iss: base,
              azp: granted.clientId,
              aud: granted.clientId,
              sub: granted.user.sub,
              ...googleClaims(granted.user, granted.scope),
              at_hash: atHash(accessToken),
              ...(granted.nonce === undefined ? {} : { nonce: granted.nonce }),
              iat: now,
              exp: now + 3600,
            },
            { typ: 'JWT' },
          )
        : undefined;
      const body = await state.tokenBody({
        access_token: accessToken,
        expires_in: 3599,
        scope: scopes.join(' '),
        token_type: 'Bearer',
        ...(idToken === undefined ? {} : { id_token: idToken }),
      });
      return sendJson(res, 200, body, {
        'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
        pragma: 'no-cache',
      });
    }

    if (route === 'GET /v1/userinfo') {
      const token = bearer(req);
      const granted = token === undefined ? undefined : state.tokens.get(token);
      if (granted === undefined) {
        return sendJson(
          res,
          401,
          { error: 'invalid_request', error_description: 'Invalid Credentials' },
          { 'www-authenticate': `Bearer realm="${base}/", error="invalid_token"` },
        );
      }
      const claims = googleClaims(granted.user, granted.scope);
      return sendJson(res, 200, { sub: granted.user.sub, ...claims });
    }
    return sendHtml(res, 404, 'Not Found');
  });
  return Object.assign(state.controls(server), {
    issuer: server.baseUrl,
    discoveryUrl: `${server.baseUrl}/.well-known/openid-configuration`,
    publicKey: signer.publicJwk,
    signIdToken: (claims: Record<string, unknown>) => signer.sign(claims, { typ: 'JWT' }),
  });
}

// ---------------------------------------------------------------------------------------------
// Microsoft Entra ID (v2.0)

/** `tid` of every personal Microsoft account (MSA: outlook.com, hotmail.com, live.com). */
export const MSA_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MicrosoftUser {
  /** Pairwise per app (Microsoft's ID token `sub`). */
  sub: string;
  /** Object id in the user's tenant. */
  oid: string;
  /** Home tenant (`MSA_TENANT_ID` for personal accounts). */
  tid: string;
  name: string;
  preferred_username: string;
  /** Absent for work accounts without a mail attribute; set by the tenant's admins otherwise. */
  email?: string | undefined;
  given_name?: string | undefined;
  family_name?: string | undefined;
  /** Optional claim "email domain owner verified" (must be enabled in the app registration). */
  xms_edov?: boolean | undefined;
}

export const MICROSOFT_DEFAULT_USER: MicrosoftUser = {
  sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
  oid: '00000000-0000-0000-66f3-3332eca7ea81',
  tid: '3f9c8a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
  name: 'Alice Contoso',
  preferred_username: 'alice@contoso.example',
  email: 'alice@contoso.example',
  given_name: 'Alice',
  family_name: 'Contoso',
};

export type MicrosoftTenant = 'common' | 'organizations' | 'consumers' | (string & {});

export interface MicrosoftShape extends ShapeControls<MicrosoftUser>, IdTokenSigner {
  /** `<base>/{tenantid}/v2.0`, the literal template `common`/`organizations` publish. */
  readonly issuerTemplate: string;
  /** `<base>/<tenant>/v2.0`: what a preset calls the authority + tenant. */
  issuerFor(tenantOrTid: string): string;
  /** `<base>/<tenant>/v2.0/.well-known/openid-configuration`. */
  discoveryUrl(tenant: MicrosoftTenant): string;
}

/**
 * Entra ID v2.0 for any tenant path (`common`, `organizations`, `consumers`, a GUID): discovery,
 * `/{tenant}/oauth2/v2.0/authorize` (query or form_post), `/{tenant}/oauth2/v2.0/token`
 * (client_secret_post or _basic; PKCE S256/plain), `/{tenant}/discovery/v2.0/keys`, and Graph's
 * `/oidc/userinfo`. The token's `tid` (and `iss`) is the user's home tenant under `common` and
 * `organizations`, the MSA tenant under `consumers`, the path's tenant under a GUID. Like Entra,
 * `organizations` refuses personal accounts and `consumers` work accounts (an error page).
 */
export async function startMicrosoft(options: ShapeOptions = {}): Promise<MicrosoftShape> {
  const state = new ShapeState(
    MICROSOFT_DEFAULT_USER,
    options.clientId ?? '6731de76-14a6-49ae-97bc-6eba6914391e',
    options.clientSecret ?? 'Xyz8Q~test-secret',
  );
  const signer = await rsaSigner(randomToken(20));
  const tidFor = (tenant: string, user: MicrosoftUser) =>
    GUID.test(tenant) ? tenant : tenant === 'consumers' ? MSA_TENANT_ID : user.tid;

  const server = await serve(async (req, res, url) => {
    const base = server.baseUrl;
    const template = `${base}/{tenantid}/v2.0`;
    const [, tenant = '', ...rest] = url.pathname.split('/');
    const path = rest.join('/');

    if (req.method === 'GET' && tenant === 'oidc' && path === 'userinfo') {
      const token = bearer(req);
      const granted = token === undefined ? undefined : state.tokens.get(token);
      if (granted === undefined) {
        return sendJson(
          res,
          401,
          { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } },
          {
            'www-authenticate': `Bearer realm="", authorization_uri="${base}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
          },
        );
      }
      const u = granted.user;
      return sendJson(res, 200, {
        sub: u.sub,
        name: u.name,
        ...(u.family_name === undefined ? {} : { family_name: u.family_name }),
        ...(u.given_name === undefined ? {} : { given_name: u.given_name }),
        picture: `${base}/v1.0/me/photo/$value`,
        ...(u.email === undefined ? {} : { email: u.email }),
      });
    }

    const knownTenant =
      ['common', 'organizations', 'consumers'].includes(tenant) || GUID.test(tenant);
    if (!knownTenant) {
      return sendJson(res, 400, {
        error: 'invalid_tenant',
        error_description: `AADSTS90002: Tenant '${tenant}' not found.`,
        error_codes: [90002],
      });
    }

    if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
      const multi = tenant === 'common' || tenant === 'organizations';
      const t = `${base}/${tenant}`;
      return sendJson(res, 200, {
        token_endpoint: `${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${t}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: multi ? template : `${base}/${tidFor(tenant, state.user)}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${t}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'cloud_instance_name',
          'cloud_instance_host_name',
          'cloud_graph_host_name',
          'msgraph_host',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'acr',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'at_hash',
          'c_hash',
          'email',
        ],
        kerberos_endpoint: `${t}/kerberos`,
        tenant_region_scope: GUID.test(tenant) ? 'EU' : null,
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      });
    }

    if (req.method === 'GET' && path === 'discovery/v2.0/keys') {
      const issuer =
        tenant === 'consumers'
          ? `${base}/${MSA_TENANT_ID}/v2.0`
          : GUID.test(tenant)
            ? `${base}/${tenant}/v2.0`
            : template;
      return sendJson(res, 200, {
        keys: [{ ...signer.publicJwk, alg: undefined, x5t: signer.publicJwk.kid, issuer }],
      });
    }

    if (req.method === 'GET' && path === 'oauth2/v2.0/authorize') {
      const isMsa = state.user.tid === MSA_TENANT_ID;
      if ((tenant === 'organizations' && isMsa) || (tenant === 'consumers' && !isMsa)) {
        return sendHtml(
          res,
          400,
          isMsa
            ? "AADSTS50020: You can't sign in here with a personal account. Use your work or school account instead."
            : 'AADSTS50020: This account is not a Microsoft account (consumers only).',
        );
      }
      const outcome = state.authorize(url.searchParams, tenant);
      if ('page' in outcome) {
        return sendHtml(res, 400, `AADSTS900144: ${escapeHtml(outcome.page)}`);
      }
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      const mode = url.searchParams.get('response_mode') ?? 'query';
      const echo = { state: url.searchParams.get('state') ?? undefined };
      if ('error' in outcome)
        return toClient(res, redirectUri, { ...outcome.error, ...echo }, mode);
      return toClient(
        res,
        redirectUri,
        { code: outcome.code, ...echo, session_state: randomUUID() },
        mode,
      );
    }

    if (req.method === 'POST' && path === 'oauth2/v2.0/token') {
      const params = await readForm(req);
      const fail = (status: number, error: string, aadsts: number, description: string) =>
        sendJson(res, status, {
          error,
          error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
          error_codes: [aadsts],
          timestamp: new Date().toISOString(),
          trace_id: randomUUID(),
          correlation_id: randomUUID(),
        });
      if (params.get('grant_type') !== 'authorization_code') {
        return fail(
          400,
          'unsupported_grant_type',
          70003,
          'The app requested an unsupported grant type.',
        );
      }
      const granted = state.redeem(req, params, { basic: true, redirectUriRequired: true });
      if (granted === 'invalid_client') {
        return fail(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      }
      if (granted === 'redirect_uri_mismatch') {
        return fail(
          400,
          'invalid_grant',
          500112,
          'The reply address does not match the reply address provided when requesting Authorization code.',
        );
      }
      if (granted === 'pkce_missing') {
        return fail(
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
      if (granted === 'pkce_mismatch') {
        return fail(
          400,
          'invalid_grant',
          50148,
          'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
        );
      }
      if (typeof granted === 'string') {
        return fail(
          400,
          'invalid_grant',
          70000,
          "The provided value for the 'code' parameter is not valid.",
        );
      }
      const accessToken = `eyJ0eXAiOiJKV1Qi.${randomToken(64)}`;
      state.tokens.set(accessToken, granted);
      const scopes = new Set(granted.scope.split(' '));
      const u = granted.user;
      const tid = tidFor(granted.tenant, u);
      const now = epoch();
      const idToken = scopes.has('openid')
        ? await signer.sign(
            {
              ver: '2.0',
              iss: `${base}/${tid}/v2.0`,
              sub: u.sub,
              aud: granted.clientId,
              exp: now + 3600,
              iat: now,
              nbf: now,
              ...(scopes.has('profile')
                ? { name: u.name, preferred_username: u.preferred_username, oid: u.oid }
                : {}),
              tid,
              ...(scopes.has('email') && u.email !== undefined ? { email: u.email } : {}),
              ...(u.xms_edov === undefined ? {} : { xms_edov: u.xms_edov }),
              ...(granted.nonce === undefined ? {} : { nonce: granted.nonce }),
              aio: randomToken(40),
              rh: `1.${randomToken(30)}.`,
              uti: randomToken(16),
            },
            { typ: 'JWT' },
          )
        : undefined;
      const body = await state.tokenBody({
        token_type: 'Bearer',
        scope: [...new Set([...scopes, 'User.Read'])].filter(Boolean).join(' '),
        expires_in: 4479,
        ext_expires_in: 4479,
        access_token: accessToken,
        ...(idToken === undefined ? {} : { id_token: idToken }),
      });
      return sendJson(res, 200, body, {
        'cache-control': 'no-store, no-cache',
        pragma: 'no-cache',
      });
    }
    return sendHtml(res, 404, 'Not Found');
  });
  return Object.assign(state.controls(server), {
    issuerTemplate: `${server.baseUrl}/{tenantid}/v2.0`,
    issuerFor: (tenantOrTid: string) => `${server.baseUrl}/${tenantOrTid}/v2.0`,
    discoveryUrl: (tenant: MicrosoftTenant) =>
      `${server.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    publicKey: signer.publicJwk,
    signIdToken: (claims: Record<string, unknown>) => signer.sign(claims, { typ: 'JWT' }),
  });
}
