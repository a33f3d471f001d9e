import { OPERATIONS, type OperationId } from './contract.js';
import { CsrfCache } from './csrf.js';
import { AuthClientError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { operationPath } from './paths.js';
import { Refresher } from './refresh.js';
import { ClientState } from './state.js';
import { type TabMessage, Tabs } from './tabs.js';
import {
  errorCodeOf,
  errorFromResponse,
  fetchOrNetworkError,
  isUnsafe,
  successBody,
} from './transport.js';
import type { PublicUser, RefreshResult, SignedInResult } from './types.js';

/** Sends one attempt of a request with the given credential headers. */
export type Attempt = (credentials: Readonly<Record<string, string>>) => Promise<Response>;

/** How a request is sent by {@link Engine.send}. */
export interface SendOptions {
  readonly method: string;
  /** Attach the access token (jwt) or the CSRF header (cookie) and retry as the contract says. */
  readonly authenticate: boolean;
  /** False when the body cannot be sent twice (a stream): no retry. */
  readonly retryable: boolean;
}

/** Options of {@link Engine.api}. */
export interface ApiCall {
  /** A JSON body; none when undefined. */
  readonly body?: object | undefined;
  /** Values of the path's `:name` segments (`{ id }` for `/sessions/:id`). */
  readonly params?: Readonly<Record<string, string>>;
  /** Query parameters (`GET /admin/users?query=…`); undefined values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * The client's machinery: session state, CSRF token, refresh, tab messages, and the one
 * request path that every call (auth API and `client.fetch`) goes through.
 */
export class Engine {
  readonly options: ResolvedOptions;
  readonly state: ClientState;
  readonly tabs: Tabs;
  readonly csrf: CsrfCache;
  readonly refresher: Refresher;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.state = new ClientState(options.refreshLeewaySeconds, options.now);
    this.tabs = new Tabs(options.broadcastChannel, options.channelName, (m) => this.#onTab(m));
    this.csrf = new CsrfCache(async () => {
      const body = await this.api<{ csrfToken?: unknown }>('getCsrfToken');
      if (typeof body?.csrfToken !== 'string') throw invalid('GET /csrf');
      return body.csrfToken;
    });
    this.refresher = new Refresher({
      options,
      state: this.state,
      tabs: this.tabs,
      request: () => this.#refreshRequest(),
    });
  }

  /** Sends `attempt`, with the strategy's credentials and at most one retry. */
  async send(options: SendOptions, attempt: Attempt): Promise<Response> {
    if (!options.authenticate) return attempt({});
    return this.options.strategy === 'jwt'
      ? this.#sendJwt(options, attempt)
      : this.#sendCookie(options, attempt);
  }

  /**
   * One operation of the auth API, with the method and path of the generated table; resolves to
   * the JSON body. Operations of the signed-in caller (`auth: 'session'`) carry the strategy's
   * credentials. @throws AuthClientError
   */
  async api<T>(id: OperationId, call: ApiCall = {}): Promise<T> {
    const { method } = OPERATIONS[id];
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const encoded = search.toString();
    const query = encoded === '' ? '' : `?${encoded}`;
    const url = `${this.options.baseUrl}${operationPath(id, call.params)}${query}`;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const auth = OPERATIONS[id].auth === 'session';
    const response = await this.send(
      { method, authenticate: auth, retryable: true },
      (credentials) =>
        fetchOrNetworkError(this.options.fetch, url, {
          method,
          // Session, refresh and trusted-device cookies, also when the API is on another origin.
          credentials: 'include',
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...credentials,
          },
          ...(body === undefined ? {} : { body }),
        }),
    );
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (auth && error.code === 'UNAUTHENTICATED' && this.options.strategy === 'cookie') {
        // The session cookie is dead (expired, revoked elsewhere): every tab shares it.
        this.signOut();
      }
      throw error;
    }
    return (await successBody(response)) as T;
  }

  /** Adopts a completed sign-in and tells the other tabs; returns it without a refresh token. */
  signedIn(result: SignedInResult & { refreshToken?: unknown }): SignedInResult {
    const { refreshToken: _dropped, ...clean } = result;
    if (this.options.strategy === 'jwt') {
      if (typeof clean.accessToken !== 'string' || typeof clean.expiresIn !== 'number') {
        throw invalid('sign-in (jwt strategy)');
      }
      const token = this.state.makeToken(clean.accessToken, clean.expiresIn);
      this.state.signIn({ token, user: clean.user });
      this.tabs.post({
        type: 'token',
        accessToken: token.accessToken,
        expiresAt: token.expiresAt,
        user: clean.user,
      });
    } else {
      // The server rotates the CSRF cookie on every sign-in.
      this.csrf.invalidate();
      this.state.signIn({ user: clean.user });
      this.tabs.post({ type: 'signed_in', user: clean.user });
    }
    return clean;
  }

  /** Records the signed-in user as a route that needs the caller returned it. */
  learnUser(user: PublicUser): void {
    this.state.signIn({ user });
  }

  /** Forgets the session here and in the other tabs. */
  signOut(): void {
    if (this.state.signOut()) this.tabs.post({ type: 'signed_out' });
  }

  async #sendJwt(options: SendOptions, attempt: Attempt): Promise<Response> {
    const { state, refresher } = this;
    await refresher.refreshIfDue();
    const generation = state.generation;
    const response = await attempt(bearer(state.token?.accessToken));
    // The contract: refresh only on 401 UNAUTHENTICATED (not on PASSWORD_INCORRECT, …).
    if (
      !options.retryable ||
      response.status !== 401 ||
      (await errorCodeOf(response)) !== 'UNAUTHENTICATED' ||
      !(await refresher.refreshAfterRejection(generation))
    ) {
      return response;
    }
    await response.body?.cancel();
    return attempt(bearer(state.token?.accessToken));
  }

  async #sendCookie(options: SendOptions, attempt: Attempt): Promise<Response> {
    if (!isUnsafe(options.method)) return attempt({});
    const response = await attempt({ 'x-csrf-token': await this.csrf.get() });
    if (
      !options.retryable ||
      response.status !== 403 ||
      (await errorCodeOf(response)) !== 'CSRF_FAILED'
    ) {
      return response;
    }
    // The token went stale (another tab signed in, the cookie expired): fetch it once more.
    this.csrf.invalidate();
    const token = await this.csrf.get();
    await response.body?.cancel();
    return attempt({ 'x-csrf-token': token });
  }

  async #refreshRequest(): Promise<RefreshResult> {
    // The refresh token travels in its HttpOnly cookie; a `refreshToken` in the body (body
    // transport) is ignored: this client never holds one.
    const body = await this.api<{ accessToken?: unknown; expiresIn?: unknown }>('refreshToken');
    if (typeof body?.accessToken !== 'string' || typeof body.expiresIn !== 'number') {
      throw invalid('POST /token/refresh');
    }
    return { accessToken: body.accessToken, expiresIn: body.expiresIn };
  }

  #onTab(message: TabMessage): void {
    const { state } = this;
    switch (message.type) {
      case 'token':
        if (this.options.strategy !== 'jwt') return;
        state.signIn({
          token: state.tokenUntil(message.accessToken, message.expiresAt),
          ...(message.user === undefined ? {} : { user: message.user }),
        });
        return;
      case 'signed_in':
        if (this.options.strategy !== 'cookie') return;
        this.csrf.invalidate();
        state.signIn({ user: message.user });
        return;
      case 'signed_out':
        state.signOut();
        return;
      default:
        return;
    }
  }
}

function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

function invalid(what: string): AuthClientError {
  return new AuthClientError('INVALID_RESPONSE', {
    status: 200,
    message: `Unexpected answer to ${what}.`,
  });
}
