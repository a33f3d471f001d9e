import { AuthClientError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { ClientState, HeldToken } from './state.js';
import type { Tabs } from './tabs.js';
import type { RefreshResult } from './types.js';

/** What {@link Refresher} needs from the client. */
export interface RefresherDeps {
  readonly options: ResolvedOptions;
  readonly state: ClientState;
  readonly tabs: Tabs;
  /** `POST /token/refresh` with the refresh cookie. @throws AuthClientError */
  readonly request: () => Promise<RefreshResult>;
}

/**
 * Refresh of the jwt strategy, single flight. The server rotates the refresh token on every
 * use and has no grace window: a token presented twice revokes the session
 * (`REFRESH_TOKEN_REUSED`). So within a page every caller shares one in-flight refresh, and
 * across tabs the refresh runs under a Web Lock; a tab that gets the lock after another tab
 * refreshed adopts that tab's token (sent over the BroadcastChannel) instead of presenting the
 * refresh cookie again.
 */
export class Refresher {
  readonly #deps: RefresherDeps;
  #inFlight: Promise<HeldToken> | undefined;
  /**
   * The token generation at which the server last refused a refresh (401): the refresh cookie
   * is dead, so until a new token arrives (a sign-in here or in another tab), a rejected request
   * does not present it again.
   */
  #refusedAt: number | undefined;

  constructor(deps: RefresherDeps) {
    this.#deps = deps;
  }

  /** A new access token; concurrent calls share one refresh. @throws AuthClientError */
  refresh(): Promise<HeldToken> {
    if (this.#inFlight === undefined) {
      const run = this.#run();
      this.#inFlight = run;
      const clear = () => {
        if (this.#inFlight === run) this.#inFlight = undefined;
      };
      run.then(clear, clear);
    }
    return this.#inFlight;
  }

  /** Before a request: refreshes a token inside its leeway window. Failures are left to the request. */
  async refreshIfDue(): Promise<void> {
    const { state } = this.#deps;
    const token = state.token;
    if (token === undefined || !state.isDue(token)) return;
    try {
      await this.refresh();
    } catch {
      // Offline, or signed out (listeners already told): the request goes as it can.
    }
  }

  /**
   * After a `401 UNAUTHENTICATED` to a request sent at `generation`: true when a newer token is
   * there to retry with (refreshed here, or already by a concurrent caller or another tab).
   */
  async refreshAfterRejection(generation: number): Promise<boolean> {
    const { state } = this.#deps;
    if (state.generation !== generation && state.token !== undefined) return true;
    if (this.#refusedAt === state.generation) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  async #run(): Promise<HeldToken> {
    const { options, state, tabs } = this.#deps;
    const startGeneration = state.generation;
    const task = async (): Promise<HeldToken> => {
      // Another tab announced a refresh: its outcome message is on the way.
      await tabs.otherRefreshSettled();
      if (state.generation !== startGeneration) {
        const token = state.token;
        if (token !== undefined && !state.isDue(token)) return token;
        if (!state.signedIn) {
          throw new AuthClientError('UNAUTHENTICATED', {
            status: 401,
            message: 'Signed out in another tab.',
          });
        }
      }
      return this.#post();
    };
    return options.locks === null ? task() : options.locks.request(options.lockName, task);
  }

  async #post(): Promise<HeldToken> {
    const { state, tabs, request } = this.#deps;
    const generation = state.generation;
    tabs.post({ type: 'refreshing' });
    let result: RefreshResult;
    try {
      result = await request();
    } catch (error) {
      const refused = error instanceof AuthClientError && error.status === 401;
      // A 401 means the refresh token is dead (invalid, reused: the session is revoked) for
      // every tab, which share the cookie. Network failures sign nobody out. A sign-in that
      // happened meanwhile is not undone by a refresh of the session before it.
      if (refused && state.generation === generation && state.signOut()) {
        tabs.post({ type: 'signed_out' });
      } else {
        tabs.post({ type: 'refresh_failed' });
      }
      if (refused && state.token === undefined) this.#refusedAt = state.generation;
      throw error;
    }
    const adopted = state.token;
    if (state.generation !== generation && adopted !== undefined) {
      // A token from another tab arrived meanwhile and is kept; the tabs that heard this one's
      // `refreshing` still wait for an outcome, so tell them.
      tabs.post({ type: 'token', accessToken: adopted.accessToken, expiresAt: adopted.expiresAt });
      return adopted;
    }
    const token = state.makeToken(result.accessToken, result.expiresIn);
    state.signIn({ token });
    const user = state.user;
    tabs.post({
      type: 'token',
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      ...(user === null ? {} : { user }),
    });
    return token;
  }
}
