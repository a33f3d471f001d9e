import type { Engine } from './engine.js';
import { isAuthClientError } from './errors.js';
import { operationPath } from './paths.js';
import { errorFromResponse, fetchOrNetworkError } from './transport.js';
import type { ImpersonationResult, SessionResult, SignedInResult } from './types.js';

/**
 * `POST /admin/users/:id/impersonate` (`users:impersonate`; docs/impersonation.md). Cookie
 * strategy: the server swapped the session cookie (the admin's own waits in an HttpOnly
 * cookie), so this client is now signed in as the user, in every tab. jwt strategy: the
 * impersonation's tokens are returned and nothing is adopted: this client stays the admin's.
 */
export async function impersonate(engine: Engine, id: string): Promise<ImpersonationResult> {
  const result = await engine.api<ImpersonationResult>('impersonateAdminUser', {
    params: { id },
    body: {},
  });
  if (engine.options.strategy === 'cookie') engine.signedIn(result as SignedInResult);
  return result;
}

/**
 * `POST /admin/impersonation/stop`, from the impersonation session. Cookie strategy: the
 * server put the admin's session back (when it still lives), and this client learns who is
 * signed in now, or that nobody is. jwt strategy: `accessToken` is the impersonation's (from
 * {@link impersonate}); the admin's own tokens are untouched.
 */
export async function stopImpersonation(
  engine: Engine,
  options: { accessToken?: string } = {},
): Promise<void> {
  if (engine.options.strategy === 'cookie') {
    await engine.api('stopImpersonation', { body: {} });
    try {
      const { user } = await engine.api<SessionResult>('getSession');
      // The admin again: a new CSRF token, and the other tabs follow.
      engine.signedIn({ status: 'signed_in', user });
    } catch (error) {
      // A 401 already signed this client out (engine.api): the admin's session had ended.
      if (!isAuthClientError(error, 'UNAUTHENTICATED')) throw error;
    }
    return;
  }
  const { accessToken } = options;
  if (accessToken === undefined) {
    throw new TypeError('stop({ accessToken }) needs the impersonation’s access token (jwt)');
  }
  const url = `${engine.options.baseUrl}${operationPath('stopImpersonation')}`;
  // Not `engine.send`: that would attach (and refresh) the admin's own token.
  const response = await fetchOrNetworkError(engine.options.fetch, url, {
    method: 'POST',
    credentials: 'include',
    headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` },
  });
  if (!response.ok) throw await errorFromResponse(response);
}
