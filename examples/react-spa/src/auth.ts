import { AuthClientError, createAuthClient, type PublicUser } from '@portcullis/client';
import { useSyncExternalStore } from 'react';
import { webauthn } from './webauthn.js';

/**
 * The one client of the app. `/api/auth` is same-origin: the Vite dev server proxies `/api` to
 * the notes API, and in production one server serves both. The access token lives in this
 * client's memory only; the refresh token is an HttpOnly cookie that scripts never see. The
 * passkey ceremonies are `@simplewebauthn/browser`'s, as by default, with a way to stop passkey
 * autofill (`webauthn.ts`).
 */
export const client = createAuthClient({ baseUrl: '/api/auth', strategy: 'jwt', webauthn });

/** What the pages know about the visitor. */
export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'signed_out' }
  | { readonly status: 'signed_in'; readonly user: PublicUser };

let state: SessionState = { status: 'loading' };
const listeners = new Set<() => void>();

function set(next: SessionState) {
  state = next;
  for (const listener of listeners) listener();
}

/** The visitor's session; re-renders when it changes (here or in another tab). */
export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    () => state,
  );
}

/** After a sign-in (password, or password and second factor). */
export function signedIn(user: PublicUser): void {
  set({ status: 'signed_in', user });
}

// Sign-out here, in another tab (BroadcastChannel), or a refresh that failed (session revoked
// elsewhere): every page falls back to the signed-out view.
client.onSessionChange((session) => {
  if (!session.signedIn) set({ status: 'signed_out' });
  else if (session.user !== null) set({ status: 'signed_in', user: session.user });
});

/**
 * On load: trade the HttpOnly refresh cookie, if any, for an access token, then ask who we
 * are. No cookie (never signed in, signed out, expired) answers 401: we are signed out.
 */
export async function restoreSession(): Promise<void> {
  try {
    await client.refresh();
    const { user } = await client.session();
    set({ status: 'signed_in', user });
  } catch (error) {
    if (!(error instanceof AuthClientError)) console.warn('restoring the session failed', error);
    set({ status: 'signed_out' });
  }
}

const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: 'Email or password is incorrect.',
  EMAIL_NOT_VERIFIED: 'Confirm your address first: follow the link we mailed you.',
  ACCOUNT_DISABLED: 'This account is disabled.',
  WEAK_PASSWORD: 'Choose a stronger password.',
  VALIDATION_FAILED: 'Check the fields.',
  USERNAME_TAKEN: 'That username is taken.',
  TOKEN_INVALID: 'This link or challenge is not valid (any more). Start again.',
  TOKEN_EXPIRED: 'This link or challenge has expired. Start again.',
  CODE_INVALID: 'That code is not right.',
  REAUTH_REQUIRED: 'Enter your password to confirm.',
  PASSWORD_INCORRECT: 'That password is not right.',
  PASSKEY_INVALID: 'That passkey could not be verified (deleted from your account?). Try again.',
  UNAUTHENTICATED: 'You are signed out.',
  STORAGE_UNAVAILABLE: 'The server cannot reach its storage. Try again in a moment.',
};

/** A sentence for the user; the API's codes are stable, its messages are generic. */
export function describeError(error: unknown): string {
  if (error instanceof AuthClientError) {
    if (error.code === 'RATE_LIMITED') {
      return `Too many attempts. Try again in ${error.retryAfter ?? 60} seconds.`;
    }
    const details = (error.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ');
    return details === '' ? messageFor(error.code) : `${messageFor(error.code)} ${details}`;
  }
  // The notes API's errors (NotesApiError) carry the same codes.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return messageFor(code);
  return 'The server did not answer. Check your connection.';
}

/**
 * A sentence for a passkey ceremony that failed: the browser's own errors (`NotAllowedError`
 * covers "cancelled", "timed out" and "no passkey here" alike: browsers do not tell pages which
 * passkeys exist), else the API's codes as {@link describeError} words them.
 */
export function describePasskeyError(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return 'No passkey was used: the request was cancelled, timed out, or found none. Try again.';
  }
  if (name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
  if (error instanceof AuthClientError) return describeError(error);
  if (error instanceof Error && !(error instanceof TypeError)) {
    return 'This browser could not use a passkey here.';
  }
  return describeError(error);
}

function messageFor(code: string): string {
  return MESSAGES[code] ?? `Something went wrong (${code}).`;
}
