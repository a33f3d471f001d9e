import type { PublicUser, SessionState } from './types.js';

/** An access token held in memory (jwt strategy). Never written to any storage. */
export interface HeldToken {
  readonly accessToken: string;
  /** Epoch ms at which the server stops accepting it. */
  readonly expiresAt: number;
  /** Epoch ms from which a request refreshes it first (expiry minus the leeway). */
  readonly refreshAt: number;
}

/** Listener of {@link ClientState.subscribe}. */
export type SessionListener = (state: SessionState) => void;

/**
 * What the client knows about the session: signed in or not, the user, and (jwt) the access
 * token. `generation` grows with every token change, so a request can tell whether the token
 * it was sent with has already been replaced by someone else's refresh.
 */
export class ClientState {
  #signedIn = false;
  #user: PublicUser | null = null;
  #token: HeldToken | undefined;
  #generation = 0;
  readonly #listeners = new Set<SessionListener>();
  readonly #leewaySeconds: number;
  readonly #now: () => number;

  constructor(leewaySeconds: number, now: () => number) {
    this.#leewaySeconds = leewaySeconds;
    this.#now = now;
  }

  get signedIn(): boolean {
    return this.#signedIn;
  }
  get user(): PublicUser | null {
    return this.#user;
  }
  get token(): HeldToken | undefined {
    return this.#token;
  }
  get generation(): number {
    return this.#generation;
  }

  /** A token that expires `expiresIn` seconds from now, refreshed `leeway` seconds early. */
  makeToken(accessToken: string, expiresIn: number): HeldToken {
    const now = this.#now();
    return this.tokenUntil(accessToken, now + expiresIn * 1000);
  }

  /** A token expiring at `expiresAt` (epoch ms); the leeway is capped at half its life. */
  tokenUntil(accessToken: string, expiresAt: number): HeldToken {
    const lifeMs = Math.max(0, expiresAt - this.#now());
    const leewayMs = Math.min(this.#leewaySeconds * 1000, lifeMs / 2);
    return { accessToken, expiresAt, refreshAt: expiresAt - leewayMs };
  }

  /** True when the token should be refreshed before the next request. */
  isDue(token: HeldToken): boolean {
    return this.#now() >= token.refreshAt;
  }

  /** Signed in: with a new token (jwt) and/or user; listeners hear of real changes only. */
  signIn(change: { token?: HeldToken; user?: PublicUser | null }): void {
    const before = this.snapshot();
    if (change.token !== undefined) {
      this.#token = change.token;
      this.#generation += 1;
    }
    if (change.user !== undefined) this.#user = change.user;
    this.#signedIn = true;
    this.#notifyIfChanged(before);
  }

  /** Forgets the token and the user. Returns whether the client was signed in. */
  signOut(): boolean {
    const before = this.snapshot();
    this.#signedIn = false;
    this.#user = null;
    if (this.#token !== undefined) {
      this.#token = undefined;
      this.#generation += 1;
    }
    this.#notifyIfChanged(before);
    return before.signedIn;
  }

  /** The state listeners see. */
  snapshot(): SessionState {
    return { signedIn: this.#signedIn, user: this.#user };
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #notifyIfChanged(before: SessionState): void {
    const after = this.snapshot();
    if (before.signedIn === after.signedIn && sameUser(before.user, after.user)) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(after);
      } catch (error) {
        // One broken listener must not keep the others (or the sign-in itself) from running.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

function sameUser(a: PublicUser | null, b: PublicUser | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.id === b.id &&
    a.email === b.email &&
    a.emailVerified === b.emailVerified &&
    a.username === b.username &&
    a.firstName === b.firstName &&
    a.lastName === b.lastName &&
    a.twoFactorEnabled === b.twoFactorEnabled
  );
}
