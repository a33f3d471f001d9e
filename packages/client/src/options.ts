/**
 * The subset of the Web Locks API (`navigator.locks`) the client uses: run `callback` while
 * holding the exclusive lock `name`, one holder at a time across every tab of the origin.
 */
export interface LockManagerLike {
  /** Waits for the lock, runs `callback`, releases the lock when its promise settles. */
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/**
 * A `message` handler. Declared as a method type so that the DOM's and Node's
 * `BroadcastChannel` (whose handlers take a full `MessageEvent`) are assignable.
 */
export type MessageHandler = {
  /** Receives one message; `data` is what the other side posted. */
  handle(event: { readonly data: unknown }): void;
}['handle'];

/** The subset of `BroadcastChannel` the client uses. */
export interface BroadcastChannelLike {
  /** Sends a structured-clonable message to every other channel of the same name. */
  postMessage(message: unknown): void;
  /** Receives messages of the other channels. */
  onmessage: MessageHandler | null;
  /** Stops receiving. */
  close(): void;
}

/** A `BroadcastChannel` constructor (the global one, or a stand-in). */
export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

/** Options of {@link createAuthClient}. */
export interface AuthClientOptions {
  /**
   * Where the auth API is mounted: `'/api/auth'` (same origin, the default server mount) or an
   * absolute URL such as `'http://127.0.0.1:3000/api/auth'` (required on Node.js). No trailing
   * slash needed.
   */
  readonly baseUrl: string;
  /** The server's session strategy (`session.strategy` of `createAuth`). */
  readonly strategy: 'cookie' | 'jwt';
  /** The fetch to use. Default `globalThis.fetch`. On Node.js, wrap it to keep cookies. */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * JWT strategy: refresh the access token this many seconds before it expires, on the next
   * request made in that window; capped at half the token's lifetime. Default 30.
   */
  readonly refreshLeewaySeconds?: number;
  /** Web Locks name that serializes refreshes across tabs. Default `'portcullis-refresh'`. */
  readonly lockName?: string;
  /** BroadcastChannel name that carries sign-in, sign-out and new tokens between tabs. Default `'portcullis-session'`. */
  readonly channelName?: string;
  /**
   * The lock manager for cross-tab refresh. Default `globalThis.navigator.locks` when present;
   * `null` turns cross-tab locking off (refresh is still single-flight within this client).
   */
  readonly locks?: LockManagerLike | null;
  /**
   * The BroadcastChannel constructor. Default: the global one in browsers and workers; `null`
   * on Node.js, where separate clients in one process may belong to different users and must
   * not share tokens. `null` turns tab messages off.
   */
  readonly broadcastChannel?: BroadcastChannelConstructor | null;
  /**
   * Further origins of the app's own APIs (e.g. `'https://api.example.com'`) to which
   * `client.fetch` sends the access token (jwt) or cookies and the CSRF header (cookie). The
   * origin of `baseUrl` and the page's origin are always included; other URLs are fetched
   * untouched, so a token never leaks to a third party. Default none.
   */
  readonly apiOrigins?: readonly string[];
  /** The clock for access-token expiry, in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * The WebAuthn ceremonies of `client.passkeys`. Default `@simplewebauthn/browser`'s
   * `startRegistration` and `startAuthentication`, loaded on the first passkey ceremony. Pass
   * your own to run them elsewhere (a native bridge, or a software authenticator in tests).
   */
  readonly webauthn?: WebAuthnCeremonies;
}

/** The two WebAuthn ceremonies, in `@simplewebauthn/browser`'s shapes (JSON in, JSON out). */
export interface WebAuthnCeremonies {
  /** `navigator.credentials.create()`: options JSON in, `RegistrationResponseJSON` out. */
  startRegistration(input: { optionsJSON: Record<string, unknown> }): Promise<unknown>;
  /**
   * `navigator.credentials.get()`: options JSON in, `AuthenticationResponseJSON` out; with
   * `useBrowserAutofill`, conditional UI (the passkey offered in the username field's autofill).
   */
  startAuthentication(input: {
    optionsJSON: Record<string, unknown>;
    useBrowserAutofill?: boolean;
  }): Promise<unknown>;
  /** Ends a pending ceremony (called when `passkeys.signIn`'s `signal` fires). Optional. */
  cancel?(): void;
}

/** {@link AuthClientOptions} with every default applied. */
export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly strategy: 'cookie' | 'jwt';
  readonly fetch: typeof globalThis.fetch;
  readonly refreshLeewaySeconds: number;
  readonly lockName: string;
  readonly channelName: string;
  readonly locks: LockManagerLike | null;
  readonly broadcastChannel: BroadcastChannelConstructor | null;
  /** Origins that receive credentials from `client.fetch`. */
  readonly ownOrigins: ReadonlySet<string>;
  /** The page URL relative URLs resolve against; `undefined` outside browsers. */
  readonly pageUrl: string | undefined;
  readonly now: () => number;
  /** Set when given; else `@simplewebauthn/browser` is loaded on first use. */
  readonly webauthn: WebAuthnCeremonies | undefined;
}

interface MaybeBrowserGlobals {
  readonly navigator?: { readonly locks?: LockManagerLike };
  readonly location?: { readonly href?: string; readonly origin?: string };
  readonly BroadcastChannel?: BroadcastChannelConstructor;
  readonly process?: { readonly versions?: { readonly node?: string } };
  readonly window?: unknown;
}

function originOf(url: string, base: string | undefined): string | undefined {
  try {
    return new URL(url, base).origin;
  } catch {
    return undefined;
  }
}

/** Applies the defaults. @throws TypeError for a bad `strategy`, `baseUrl` or leeway. */
export function resolveOptions(options: AuthClientOptions): ResolvedOptions {
  const g = globalThis as unknown as MaybeBrowserGlobals;
  if (options.strategy !== 'cookie' && options.strategy !== 'jwt') {
    throw new TypeError("createAuthClient: strategy must be 'cookie' or 'jwt'");
  }
  if (typeof options.baseUrl !== 'string' || options.baseUrl === '') {
    throw new TypeError('createAuthClient: baseUrl is required');
  }
  const leeway = options.refreshLeewaySeconds ?? 30;
  if (!Number.isFinite(leeway) || leeway < 0) {
    throw new TypeError('createAuthClient: refreshLeewaySeconds must be a number >= 0');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('createAuthClient: no fetch available; pass options.fetch');
  }
  const pageUrl = typeof g.location?.href === 'string' ? g.location.href : undefined;
  const ownOrigins = new Set<string>();
  for (const url of [options.baseUrl, ...(options.apiOrigins ?? [])]) {
    const origin = originOf(url, pageUrl);
    if (origin !== undefined) ownOrigins.add(origin);
  }
  if (typeof g.location?.origin === 'string') ownOrigins.add(g.location.origin);
  // Node.js has a global BroadcastChannel, but clients in one process are not tabs of one
  // user: sharing tokens between them by default would hand one user's token to another.
  const onNode = typeof g.process?.versions?.node === 'string' && g.window === undefined;
  const defaultChannel = onNode ? null : (g.BroadcastChannel ?? null);
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    strategy: options.strategy,
    // Called unbound: browsers throw "Illegal invocation" for fetch bound to another object.
    fetch: (input, init) => fetchImpl(input, init),
    refreshLeewaySeconds: leeway,
    lockName: options.lockName ?? 'portcullis-refresh',
    channelName: options.channelName ?? 'portcullis-session',
    locks: options.locks === undefined ? (g.navigator?.locks ?? null) : options.locks,
    broadcastChannel:
      options.broadcastChannel === undefined ? defaultChannel : options.broadcastChannel,
    ownOrigins,
    pageUrl,
    now: options.now ?? Date.now,
    webauthn: options.webauthn,
  };
}
