/**
 * Smoke test of the OAuth test support, with oauth4webapi as the client: the in-process OpenID
 * Provider (op.ts) driven by browser.ts, and the GitHub / Google / Entra ID shape servers.
 */
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, type LoginAs, type LoginResult, loginAtProvider } from './browser.js';
import { type StartedOidcProvider, startOidcProvider } from './op.js';
import {
  type GitHubShape,
  type GoogleShape,
  type MicrosoftShape,
  MSA_TENANT_ID,
  startGitHub,
  startGoogle,
  startMicrosoft,
} from './shapes.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT_URI = 'http://127.0.0.1:4999/auth/callback';

/** `_expectedIssuer` is exported by oauth4webapi's JS but not declared in its .d.ts (internal). */
const { _expectedIssuer } = oauth as unknown as { _expectedIssuer: symbol };

async function discover(issuer: string, expected = new URL(issuer), url = new URL(issuer)) {
  return oauth.processDiscoveryResponse(expected, await oauth.discoveryRequest(url, insecure));
}

/** The authorization request of a code flow with PKCE, state and nonce. */
async function begin(endpoint: string, clientId: string, params: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid email profile',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  }).toString();
  return { url, verifier, state, nonce };
}

function callbackParams(result: LoginResult): URLSearchParams {
  if ('callbackUrl' in result) return new URL(result.callbackUrl).searchParams;
  return new URLSearchParams(result.formPost.fields);
}

async function login(url: URL, as: LoginAs = { sub: 'alice' }, jar?: CookieJar) {
  return loginAtProvider(url, as, jar);
}

describe('in-process OpenID Provider (oidc-provider) + browser', () => {
  let op: StartedOidcProvider;
  let as: oauth.AuthorizationServer;
  const client: oauth.Client = { client_id: 'app' };
  const clientAuth = oauth.ClientSecretBasic('app-secret');

  beforeAll(async () => {
    op = await startOidcProvider({
      clients: [{ client_id: 'app', client_secret: 'app-secret', redirect_uris: [REDIRECT_URI] }],
      accounts: {
        alice: {
          email: 'alice@example.com',
          email_verified: true,
          name: 'Alice Liddell',
          given_name: 'Alice',
          family_name: 'Liddell',
          picture: 'https://example.com/alice.png',
        },
        bob: { email: 'bob@example.com', email_verified: false, name: 'Bob' },
      },
    });
    as = await discover(op.issuer);
  });
  afterAll(() => op.close());

  /** Authorization → token request; returns what a test needs to finish or tamper. */
  async function codeFlow(params: Record<string, string> = {}, who: LoginAs = { sub: 'alice' }) {
    if (as.authorization_endpoint === undefined) throw new Error('no authorization_endpoint');
    const flow = await begin(as.authorization_endpoint, 'app', params);
    const result = await login(flow.url, who);
    const callback = oauth.validateAuthResponse(as, client, callbackParams(result), flow.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      callback,
      REDIRECT_URI,
      flow.verifier,
      insecure,
    );
    return { ...flow, result, response };
  }

  it('discovery says what the RP needs (PKCE S256, RFC 9207 iss, form_post)', () => {
    expect(as.issuer).toBe(op.issuer);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.response_modes_supported).toContain('form_post');
  });

  it('runs the authorization code flow with PKCE and nonce; claims in the ID token and userinfo', async () => {
    const { response, nonce, result } = await codeFlow();
    if (!('callbackUrl' in result)) throw new Error('expected a redirect');
    expect(new URL(result.callbackUrl).searchParams.get('iss')).toBe(op.issuer);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    await oauth.validateApplicationLevelSignature(as, response, insecure);
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
      iss: op.issuer,
      aud: 'app',
      sub: 'alice',
      nonce,
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Liddell',
      given_name: 'Alice',
    });
    const info = await oauth.processUserInfoResponse(
      as,
      client,
      'alice',
      await oauth.userInfoRequest(as, client, tokens.access_token, insecure),
    );
    expect(info).toMatchObject({
      sub: 'alice',
      email: 'alice@example.com',
      family_name: 'Liddell',
    });
    expect(op.serverErrors).toEqual([]);
  });

  it('answers with form_post when asked', async () => {
    const { result, response, nonce } = await codeFlow({ response_mode: 'form_post' });
    if (!('formPost' in result)) throw new Error('expected a form_post');
    expect(result.formPost.action).toBe(REDIRECT_URI);
    expect(Object.keys(result.formPost.fields).sort()).toEqual(['code', 'iss', 'state']);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
    });
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('alice');
  });

  it('sends the error of a denied login to the client (with iss and state)', async () => {
    if (as.authorization_endpoint === undefined) throw new Error('no authorization_endpoint');
    const flow = await begin(as.authorization_endpoint, 'app');
    const result = await login(flow.url, { deny: true, errorDescription: 'nope' });
    const params = callbackParams(result);
    expect(Object.fromEntries(params)).toEqual({
      error: 'access_denied',
      error_description: 'nope',
      state: flow.state,
      iss: op.issuer,
    });
    expect(() => oauth.validateAuthResponse(as, client, params, flow.state)).toThrow(
      oauth.AuthorizationResponseError,
    );
  });

  it('requires PKCE', async () => {
    if (as.authorization_endpoint === undefined) throw new Error('no authorization_endpoint');
    const flow = await begin(as.authorization_endpoint, 'app');
    flow.url.searchParams.delete('code_challenge');
    flow.url.searchParams.delete('code_challenge_method');
    const params = callbackParams(await login(flow.url));
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/requires PKCE/);
  });

  it('keeps the provider session in a shared jar; prompt=login switches account', async () => {
    if (as.authorization_endpoint === undefined) throw new Error('no authorization_endpoint');
    const jar = new CookieJar();
    await login((await begin(as.authorization_endpoint, 'app')).url, { sub: 'bob' }, jar);
    expect(jar.names()).toContain('_session');
    const second = await begin(as.authorization_endpoint, 'app');
    // `alice` is ignored: the session (bob) answers without a login page.
    const result = await login(second.url, { sub: 'alice' }, jar);
    const callback = oauth.validateAuthResponse(as, client, callbackParams(result), second.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      callback,
      REDIRECT_URI,
      second.verifier,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: second.nonce,
    });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
      sub: 'bob',
      email_verified: false,
    });

    // prompt=login shows the form again; another account replaces bob's session.
    const third = await begin(as.authorization_endpoint, 'app', { prompt: 'login' });
    const switched = await login(third.url, { sub: 'alice' }, jar);
    const code = oauth.validateAuthResponse(as, client, callbackParams(switched), third.state);
    const switchedTokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        code,
        REDIRECT_URI,
        third.verifier,
        insecure,
      ),
      { expectedNonce: third.nonce },
    );
    expect(oauth.getValidatedIdTokenClaims(switchedTokens)?.sub).toBe('alice');
  });

  describe('onTokenResponse (attacks over real HTTP)', () => {
    afterAll(() => {
      op.onTokenResponse = undefined;
    });

    it('a re-signed ID token with another audience is rejected by processAuthorizationCodeResponse', async () => {
      op.onTokenResponse = async (body) => ({
        ...body,
        id_token: await op.signIdToken({
          ...decodeJwt(String(body.id_token)),
          aud: 'someone-else',
        }),
      });
      const { response, nonce } = await codeFlow();
      await expect(
        oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce }),
      ).rejects.toMatchObject({ code: oauth.JWT_CLAIM_COMPARISON, cause: { claim: 'aud' } });
    });

    it('a wrong nonce is rejected', async () => {
      op.onTokenResponse = async (body) => ({
        ...body,
        id_token: await op.signIdToken({ ...decodeJwt(String(body.id_token)), nonce: 'replayed' }),
      });
      const { response, nonce } = await codeFlow();
      await expect(
        oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce }),
      ).rejects.toMatchObject({ code: oauth.JWT_CLAIM_COMPARISON, cause: { claim: 'nonce' } });
    });

    it('a foreign-signed ID token with valid claims passes processing; only the signature check catches it', async () => {
      op.onTokenResponse = async (body) => ({
        ...body,
        id_token: await op.signIdToken(
          { ...decodeJwt(String(body.id_token)), email: 'victim@example.com' },
          { key: 'foreign' },
        ),
      });
      const { response, nonce } = await codeFlow();
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: nonce,
      });
      expect(oauth.getValidatedIdTokenClaims(tokens)?.email).toBe('victim@example.com');
      await expect(oauth.validateApplicationLevelSignature(as, response, insecure)).rejects.toThrow(
        /signature/i,
      );
    });

    it('alg none is refused by processing', async () => {
      op.onTokenResponse = async (body) => ({
        ...body,
        id_token: await op.signIdToken(decodeJwt(String(body.id_token)), { alg: 'none' }),
      });
      const { response, nonce } = await codeFlow();
      await expect(
        oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce }),
      ).rejects.toThrow(/alg/);
    });
  });
});

describe('shape servers', () => {
  let github: GitHubShape;
  let google: GoogleShape;
  let microsoft: MicrosoftShape;
  beforeAll(async () => {
    [github, google, microsoft] = await Promise.all([
      startGitHub(),
      startGoogle(),
      startMicrosoft(),
    ]);
  });
  afterAll(() => Promise.all([github.close(), google.close(), microsoft.close()]));

  describe('GitHub (OAuth 2, no OpenID Connect)', () => {
    const as = (): oauth.AuthorizationServer => ({
      issuer: github.authorizeUrl, // any string: GitHub has no issuer; not compared (no iss)
      authorization_endpoint: github.authorizeUrl,
      token_endpoint: github.tokenUrl,
    });
    const client = (): oauth.Client => ({ client_id: github.clientId });

    async function authorize(scope = 'read:user user:email') {
      const flow = await begin(github.authorizeUrl, github.clientId, { scope });
      flow.url.searchParams.delete('nonce');
      const params = callbackParams(await loginAtProvider(flow.url, { sub: 'ignored' }));
      return { ...flow, params };
    }

    it('code + PKCE → token (no ID token) → /user and /user/emails', async () => {
      github.setUser({ email: 'mona@example.com' });
      const { params, state, verifier } = await authorize();
      expect(Object.keys(Object.fromEntries(params))).toEqual(['code', 'state']);
      expect(github.lastAuthorization()).toMatchObject({ code_challenge_method: 'S256' });
      const callback = oauth.validateAuthResponse(as(), client(), params, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as(),
        client(),
        oauth.ClientSecretPost(github.clientSecret),
        callback,
        REDIRECT_URI,
        verifier,
        insecure,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as(), client(), response);
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read:user,user:email' });
      expect(tokens.id_token).toBeUndefined();

      const get = (path: string) =>
        oauth.protectedResourceRequest(
          tokens.access_token,
          'GET',
          new URL(`${github.apiUrl}${path}`),
          new Headers({ accept: 'application/vnd.github+json' }),
          null,
          insecure,
        );
      const user = await (await get('/user')).json();
      expect(user).toMatchObject({ id: 12345, login: 'octocat', email: 'mona@example.com' });
      const emails = await (await get('/user/emails')).json();
      expect(emails).toContainEqual({
        email: 'octocat@example.com',
        primary: true,
        verified: true,
        visibility: 'private',
      });
      const anonymous = await fetch(`${github.apiUrl}/user`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ message: 'Bad credentials' });
    });

    it('answers errors with HTTP 200, which oauth4webapi reports as OAUTH_INVALID_RESPONSE', async () => {
      const { params, state, verifier } = await authorize();
      const callback = oauth.validateAuthResponse(as(), client(), params, state);
      const request = () =>
        oauth.authorizationCodeGrantRequest(
          as(),
          client(),
          oauth.ClientSecretPost(github.clientSecret),
          callback,
          REDIRECT_URI,
          verifier,
          insecure,
        );
      await oauth.processAuthorizationCodeResponse(as(), client(), await request());
      const replay = await request(); // the code is used up
      expect(replay.status).toBe(200);
      const error = await oauth
        .processAuthorizationCodeResponse(as(), client(), replay)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(oauth.OperationProcessingError);
      expect(error).toMatchObject({
        code: oauth.INVALID_RESPONSE,
        cause: { body: { error: 'bad_verification_code' } },
      });
      // Form-encoded unless JSON is asked for, as GitHub does.
      const form = await fetch(github.tokenUrl, { method: 'POST', body: new URLSearchParams({}) });
      expect(form.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
      expect(new URLSearchParams(await form.text()).get('error')).toBe(
        'incorrect_client_credentials',
      );
    });

    it('verifies PKCE, needs user:email for /user/emails, and answers failNext', async () => {
      const { params, state } = await authorize('read:user');
      const callback = oauth.validateAuthResponse(as(), client(), params, state);
      const wrongVerifier = await oauth.authorizationCodeGrantRequest(
        as(),
        client(),
        oauth.ClientSecretPost(github.clientSecret),
        callback,
        REDIRECT_URI,
        oauth.generateRandomCodeVerifier(),
        insecure,
      );
      expect(await wrongVerifier.json()).toMatchObject({ error: 'bad_verification_code' });

      const narrow = await authorize('read:user');
      const response = await oauth.authorizationCodeGrantRequest(
        as(),
        client(),
        oauth.ClientSecretPost(github.clientSecret),
        oauth.validateAuthResponse(as(), client(), narrow.params, narrow.state),
        REDIRECT_URI,
        narrow.verifier,
        insecure,
      );
      const { access_token } = await oauth.processAuthorizationCodeResponse(
        as(),
        client(),
        response,
      );
      const emails = await fetch(`${github.apiUrl}/user/emails`, {
        headers: { authorization: `token ${access_token}` },
      });
      expect(emails.status).toBe(404);
      expect(emails.headers.get('x-oauth-scopes')).toBe('read:user');

      github.failNext({ error: 'access_denied', error_description: 'The user has denied.' });
      const denied = await authorize();
      expect(denied.params.get('error')).toBe('access_denied');
      expect(denied.params.get('state')).toBe(denied.state);
      expect(() => oauth.validateAuthResponse(as(), client(), denied.params, denied.state)).toThrow(
        oauth.AuthorizationResponseError,
      );
    });
  });

  describe('Google (OpenID Connect)', () => {
    it('discovery, code + PKCE + nonce with client_secret_basic, Google claims, userinfo', async () => {
      google.setUser({ hd: 'example.com', email: 'alice@example.com' });
      const as = await discover(google.issuer);
      const client: oauth.Client = { client_id: google.clientId };
      expect(as.authorization_endpoint).toBe(`${google.issuer}/o/oauth2/v2/auth`);
      const flow = await begin(String(as.authorization_endpoint), google.clientId);
      const params = callbackParams(await loginAtProvider(flow.url, { sub: 'ignored' }));
      expect(params.get('iss')).toBe(google.issuer);
      expect(params.get('hd')).toBe('example.com');
      const callback = oauth.validateAuthResponse(as, client, params, flow.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(google.clientSecret),
        callback,
        REDIRECT_URI,
        flow.verifier,
        insecure,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: flow.nonce,
      });
      await oauth.validateApplicationLevelSignature(as, response, insecure);
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      expect(claims).toMatchObject({
        iss: google.issuer,
        azp: google.clientId,
        aud: google.clientId,
        sub: '110169484474386276334',
        hd: 'example.com',
        email: 'alice@example.com',
        email_verified: true,
        given_name: 'Alice',
        nonce: flow.nonce,
      });
      expect(typeof claims?.at_hash).toBe('string');
      expect(google.lastTokenRequest()?.authorization).toMatch(/^Basic /);
      const info = await oauth.processUserInfoResponse(
        as,
        client,
        String(claims?.sub),
        await oauth.userInfoRequest(as, client, tokens.access_token, insecure),
      );
      expect(info).toMatchObject({ email: 'alice@example.com', hd: 'example.com' });
    });

    it('form_post, client_secret_post, and a PKCE failure', async () => {
      const as = await discover(google.issuer);
      const client: oauth.Client = { client_id: google.clientId };
      const flow = await begin(String(as.authorization_endpoint), google.clientId, {
        response_mode: 'form_post',
      });
      const result = await loginAtProvider(flow.url, { sub: 'ignored' });
      if (!('formPost' in result)) throw new Error('expected form_post');
      expect(result.formPost.action).toBe(REDIRECT_URI);
      const callback = oauth.validateAuthResponse(as, client, callbackParams(result), flow.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(google.clientSecret),
        callback,
        REDIRECT_URI,
        oauth.generateRandomCodeVerifier(),
        insecure,
      );
      await expect(
        oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.nonce }),
      ).rejects.toMatchObject({
        error: 'invalid_grant',
        error_description: 'Invalid code verifier.',
      });
    });
  });

  describe('Microsoft Entra ID (v2.0)', () => {
    const client = (): oauth.Client => ({ client_id: microsoft.clientId });

    async function signIn(as: oauth.AuthorizationServer) {
      const flow = await begin(String(as.authorization_endpoint), microsoft.clientId);
      const params = callbackParams(await loginAtProvider(flow.url, { sub: 'ignored' }));
      const callback = oauth.validateAuthResponse(as, client(), params, flow.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client(),
        oauth.ClientSecretPost(microsoft.clientSecret),
        callback,
        REDIRECT_URI,
        flow.verifier,
        insecure,
      );
      return { response, nonce: flow.nonce };
    }

    it('common: the {tenantid} issuer needs the template as expected issuer and _expectedIssuer', async () => {
      microsoft.setUser({ xms_edov: true });
      const common = new URL(microsoft.issuerFor('common'));
      await expect(discover(common.href)).rejects.toMatchObject({
        code: oauth.JSON_ATTRIBUTE_COMPARISON,
      });
      const as = await discover(common.href, new URL(microsoft.issuerTemplate), common);
      expect(as.issuer).toBe(microsoft.issuerTemplate);

      const plain = await signIn(as);
      await expect(
        oauth.processAuthorizationCodeResponse(as, client(), plain.response, {
          expectedNonce: plain.nonce,
        }),
      ).rejects.toMatchObject({ code: oauth.JWT_CLAIM_COMPARISON, cause: { claim: 'iss' } });

      const tenantAware = {
        ...as,
        [_expectedIssuer]: ({ claims }: { claims: { tid?: unknown } }) =>
          microsoft.issuerTemplate.replace('{tenantid}', String(claims.tid)),
      };
      const ok = await signIn(tenantAware);
      const tokens = await oauth.processAuthorizationCodeResponse(
        tenantAware,
        client(),
        ok.response,
        {
          expectedNonce: ok.nonce,
        },
      );
      await oauth.validateApplicationLevelSignature(tenantAware, ok.response, insecure);
      const tid = '3f9c8a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b';
      expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
        ver: '2.0',
        iss: microsoft.issuerFor(tid),
        tid,
        email: 'alice@contoso.example',
        xms_edov: true,
        preferred_username: 'alice@contoso.example',
      });
    });

    it('consumers publishes the MSA tenant issuer; organizations refuses personal accounts', async () => {
      microsoft.setUser({ tid: MSA_TENANT_ID, email: 'bob@outlook.com' });
      const consumers = new URL(microsoft.issuerFor('consumers'));
      const as = await discover(
        consumers.href,
        new URL(microsoft.issuerFor(MSA_TENANT_ID)),
        consumers,
      );
      const { response, nonce } = await signIn(as);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client(), response, {
        expectedNonce: nonce,
      });
      expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ tid: MSA_TENANT_ID });

      const organizations = await discover(
        microsoft.issuerFor('organizations'),
        new URL(microsoft.issuerTemplate),
        new URL(microsoft.issuerFor('organizations')),
      );
      const flow = await begin(String(organizations.authorization_endpoint), microsoft.clientId);
      await expect(loginAtProvider(flow.url, { sub: 'ignored' })).rejects.toThrow(/AADSTS50020/);
      microsoft.setUser();
    });
  });
});
