import type { BroadcastChannelConstructor, BroadcastChannelLike } from './options.js';
import type { PublicUser } from './types.js';

/**
 * Messages between tabs of one origin (same-origin by the BroadcastChannel's own rule):
 * - `token`: a tab signed in or refreshed (jwt); the others adopt the token instead of
 *   refreshing with a refresh token that is already dead.
 * - `signed_in`: a tab signed in (cookie strategy: the session cookie is shared).
 * - `signed_out`: a tab signed out, or its refresh was refused; the session is gone for all.
 * - `refreshing` / `refresh_failed`: a tab holds the refresh lock and is refreshing / could
 *   not reach the server. A tab that gets the lock next waits for the outcome of `refreshing`
 *   instead of racing the message that carries the new token.
 */
export type TabMessage =
  | {
      readonly type: 'token';
      readonly accessToken: string;
      readonly expiresAt: number;
      readonly user?: PublicUser;
    }
  | { readonly type: 'signed_in'; readonly user: PublicUser }
  | { readonly type: 'signed_out' }
  | { readonly type: 'refreshing' }
  | { readonly type: 'refresh_failed' };

/** How long a tab waits for another tab's announced refresh to finish, ms. */
const OUTCOME_TIMEOUT_MS = 10_000;

/** The client's side of the BroadcastChannel; a no-op when there is none. */
export class Tabs {
  readonly #channel: BroadcastChannelLike | undefined;
  #otherRefreshing = false;
  #waiters: (() => void)[] = [];

  constructor(
    ctor: BroadcastChannelConstructor | null,
    name: string,
    onMessage: (message: TabMessage) => void,
  ) {
    if (ctor === null) return;
    const channel = new ctor(name);
    channel.onmessage = (event) => {
      const message = parse(event.data);
      if (message === undefined) return;
      if (message.type === 'refreshing') {
        this.#otherRefreshing = true;
        return;
      }
      if (message.type !== 'signed_in') this.#settle();
      onMessage(message);
    };
    // Node.js: an open channel would keep the process alive.
    (channel as { unref?: () => void }).unref?.();
    this.#channel = channel;
  }

  /** Tells the other tabs. */
  post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel (client closed): nobody to tell.
    }
  }

  /**
   * Resolves once no other tab is known to be refreshing: at once, or when its outcome
   * (`token`, `signed_out`, `refresh_failed`) arrives, or after a timeout (a closed tab).
   */
  async otherRefreshSettled(): Promise<void> {
    if (!this.#otherRefreshing) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#settle();
      }, OUTCOME_TIMEOUT_MS);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops listening. */
  close(): void {
    this.#settle();
    this.#channel?.close();
  }

  #settle(): void {
    this.#otherRefreshing = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Checks a received message's shape: another tab runs the same code, but trust nothing. */
function parse(data: unknown): TabMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'token':
      if (typeof m.accessToken !== 'string' || typeof m.expiresAt !== 'number') return undefined;
      return isUser(m.user)
        ? { type: 'token', accessToken: m.accessToken, expiresAt: m.expiresAt, user: m.user }
        : { type: 'token', accessToken: m.accessToken, expiresAt: m.expiresAt };
    case 'signed_in':
      return isUser(m.user) ? { type: 'signed_in', user: m.user } : undefined;
    case 'signed_out':
    case 'refreshing':
    case 'refresh_failed':
      return { type: m.type };
    default:
      return undefined;
  }
}

function isUser(value: unknown): value is PublicUser {
  if (typeof value !== 'object' || value === null) return false;
  const u = value as Record<string, unknown>;
  return typeof u.id === 'string' && typeof u.email === 'string';
}
