import { AuthError } from '../errors/auth-error.js';

/**
 * The link of a mailed token, as the contract gives it: `{appUrl}{path}?token={token}`.
 * Trailing slashes of `appUrl` are dropped and a missing leading slash of `path` is added, so
 * `https://app.example.com/` + `verify-email` gives `https://app.example.com/verify-email`;
 * the token is URL-encoded; a `path` that already has a query gets `&token=`. Joined as text,
 * not through `URL`, so hash-routed apps work (`https://app.example.com/#` + `/verify-email`).
 *
 * @throws {AuthError} `CONFIG_INVALID` when `appUrl` is not an absolute http(s) URL: a link
 *   with another scheme (`javascript:`) must never reach a mail.
 *
 * @example
 * ```ts
 * buildLink('https://app.example.com/', '/reset-password', token)
 * // 'https://app.example.com/reset-password?token=...'
 * ```
 */
export function buildLink(appUrl: string, path: string, token: string): string {
  const page = buildPageLink(appUrl, path);
  return `${page}${page.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/**
 * A page of the app without a token, `{appUrl}{path}`, for notices that point the user to
 * the reset-password page. Joined and checked as in {@link buildLink}.
 *
 * @throws {AuthError} `CONFIG_INVALID` when `appUrl` is not an absolute http(s) URL.
 */
export function buildPageLink(appUrl: string, path: string): string {
  if (!/^https?:\/\/[^/?#\s]+/i.test(appUrl)) {
    throw new AuthError('CONFIG_INVALID', { message: 'appUrl must be an http(s) URL.' });
  }
  const page = path === '' || path.startsWith('/') ? path : `/${path}`;
  return `${appUrl.replace(/\/+$/, '')}${page}`;
}
