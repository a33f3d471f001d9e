import { accountApi, twoFactorApi } from './account.js';
import { adminApi } from './admin.js';
import type { OperationId } from './contract.js';
import { Engine } from './engine.js';
import { isAuthClientError } from './errors.js';
import { authorizedFetch } from './fetch.js';
import { oauthApi } from './oauth.js';
import { type AuthClientOptions, resolveOptions } from './options.js';
import { passwordlessApi } from './passwordless.js';
import type { AuthClient, ClientOf } from './surface.js';
import type {
  LoginResult,
  NoFields,
  SessionResult,
  SignedInResult,
  StatusResult,
} from './types.js';

/**
 * A typed client of the Portcullis HTTP API for browsers and Node.js. No runtime
 * dependencies: `fetch`, and Web Locks and BroadcastChannel when present.
 *
 * @throws TypeError when `strategy` or `baseUrl` is missing or wrong, or no `fetch` exists.
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl: '/api/auth', strategy: 'jwt' });
 * const result = await client.login({ identifier, password });
 * if (result.status === 'two_factor_required') {
 *   await client.verifySecondFactor({ challenge: result.challenge, method: 'totp', code });
 * }
 * const notes = await client.fetch('/api/notes'); // Bearer added, refreshed when due
 * ```
 */
export function createAuthClient<F extends object = NoFields>(
  options: AuthClientOptions,
): ClientOf<F> {
  return makeClient(options) as ClientOf<F>;
}

function makeClient(options: AuthClientOptions): AuthClient {
  const engine = new Engine(resolveOptions(options));
  const { state } = engine;
  // Method, path and whether the caller's credentials go along come from the generated table.
  const call = <T>(id: OperationId, body?: object) => engine.api<T>(id, { body });

  const signOutAfter = async (work: Promise<unknown>): Promise<void> => {
    try {
      await work;
    } catch (error) {
      // Already signed out on the server: the goal is reached.
      if (!isAuthClientError(error, 'UNAUTHENTICATED')) throw error;
    } finally {
      engine.signOut();
    }
  };

  return {
    async register(input) {
      // `registration.signIn` on the server: a new account comes back signed in.
      const result = await call<StatusResult<'verification_sent'> | SignedInResult>(
        'register',
        input,
      );
      return result.status === 'signed_in' ? engine.signedIn(result) : result;
    },
    verifyEmail: (input) => call('verifyEmail', input),
    resendVerification: (input) => call('resendVerification', input),
    async login(input) {
      const result = await call<LoginResult>('login', input);
      return result.status === 'signed_in' ? engine.signedIn(result) : result;
    },
    async verifySecondFactor(input) {
      return engine.signedIn(await call<SignedInResult>('verifySecondFactor', input));
    },
    sendEmailCode: (input) => call('sendEmailCode', input),
    sendSmsCode: (input) => call('sendSmsCode', input),
    async refresh() {
      if (engine.options.strategy !== 'jwt') {
        throw new TypeError(
          'refresh() is for the jwt strategy; cookie sessions slide by themselves',
        );
      }
      const token = await engine.refresher.refresh();
      const expiresIn = Math.max(0, Math.floor((token.expiresAt - engine.options.now()) / 1000));
      return { accessToken: token.accessToken, expiresIn };
    },
    async reauthenticate(input) {
      // A new session replaces this one (new cookie, or new tokens): adopted like a sign-in.
      return engine.signedIn(await call<SignedInResult>('reauthenticate', input));
    },
    logout: () => signOutAfter(call('logout', {})),
    logoutAll: (proof = {}) => signOutAfter(call('logoutAll', proof)),
    async session() {
      const result = await call<SessionResult>('getSession');
      engine.learnUser(result.user);
      return result;
    },
    ...accountApi(engine),
    ...oauthApi(engine),
    ...passwordlessApi(engine),
    ...adminApi(engine),
    twoFactor: twoFactorApi(engine),
    async csrf() {
      return engine.csrf.get();
    },
    jwks: () => call('getJwks'),
    fetch: (input, init) => authorizedFetch(engine, input, init),
    onSessionChange: (listener) => state.subscribe(listener),
    isSignedIn: () => state.signedIn,
    close: () => engine.tabs.close(),
  };
}
