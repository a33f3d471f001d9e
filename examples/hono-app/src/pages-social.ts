/**
 * Social sign-in on the pages: the "Sign in with …" buttons, the messages of refused sign-ins,
 * the second step of a social sign-in that needs a second factor, and the "Linked accounts"
 * section of the profile. Everything here shows only when a provider is configured
 * (`AppOptions.oauth`, from the environment by `src/social.ts`).
 *
 * The routes are core's (`docs/oauth.md`): a button is a plain link to
 * `/api/auth/oauth/<id>/authorize?redirectTo=<path>`; the provider comes back to
 * `/api/auth/oauth/<id>/callback`, which always redirects: to `redirectTo` signed in, to
 * `redirectTo?linked=<id>` after linking, or to `/sign-in` (`oauth.signInPath`) with
 * `?challenge=…&methods=…&redirectTo=…` or `?error=CODE&reason=…`.
 */
import type { Auth, LinkedAccount } from '@portcullis/core';
import type { Context, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { apiForm, type Html, localPath, when } from './layout.js';
import { type PageEnv, viewerOf } from './viewer.js';

/** A configured provider as the pages show it. */
export interface ProviderView {
  readonly id: string;
  readonly name: string;
}

/** The sign-in page: where core's callback sends challenges and refusals. */
export const SIGN_IN_PATH = '/sign-in';

/**
 * `?provider=<id>` on the callback's refusals: core's redirect to the sign-in page says what
 * went wrong but not with which provider, and the message names it ("link GitHub in your
 * settings"). Only ids of configured providers are added (the callback 404s on others).
 */
export function nameProviderOnRefusals(
  providers: readonly ProviderView[],
): MiddlewareHandler<PageEnv> {
  const ids = new Set(providers.map((p) => p.id));
  return async (c, next) => {
    // Read before `next()`: afterwards the params are the API route's.
    const provider = c.req.param('provider');
    await next();
    const location = c.res.headers.get('location');
    if (
      provider === undefined ||
      !ids.has(provider) ||
      c.res.status !== 302 ||
      location === null ||
      !location.startsWith(`${SIGN_IN_PATH}?error=`)
    ) {
      return;
    }
    c.res.headers.set('location', `${location}&provider=${encodeURIComponent(provider)}`);
  };
}

/** The `/api/auth/oauth/<id>/authorize` link that starts a sign-in, back to `next` after. */
export function authorizeUrl(basePath: string, id: string, next: string): string {
  return `${basePath}/oauth/${encodeURIComponent(id)}/authorize?redirectTo=${encodeURIComponent(next)}`;
}

/** "Sign in with …" (or "Sign up with …") buttons, one per provider; nothing without any. */
export function socialButtons(
  basePath: string,
  providers: readonly ProviderView[],
  options: { next: string; verb: 'Sign in' | 'Sign up' },
): Html | string {
  if (providers.length === 0) return '';
  return html`<section class="social" data-testid="social-sign-in">
    <p>Or ${options.verb === 'Sign in' ? 'sign in' : 'sign up'} with another account:</p>
    <ul class="social-buttons">
      ${providers.map(
        (p) =>
          html`<li>
            <a class="button" data-provider="${p.id}" href="${authorizeUrl(basePath, p.id, options.next)}"
              >${options.verb} with ${p.name}</a
            >
          </li>`,
      )}
    </ul>
  </section>`;
}

/**
 * What the sign-in page says for a refused social sign-in, by the callback's `error` code and
 * `reason`. Never the provider's own text: the keys select messages written here.
 */
export function oauthErrorMessage(
  code: string,
  reason: string | undefined,
  providerName: string | undefined,
): string {
  const who = providerName ?? 'the provider';
  const Who = providerName ?? 'The provider';
  switch (code) {
    case 'ACCOUNT_LINK_REQUIRED':
      return `An account with this email address exists already: sign in with your password, then link ${who} in your settings (on your profile page).`;
    case 'ACCOUNT_DISABLED':
      return 'This account is disabled: it cannot sign in.';
    case 'RATE_LIMITED':
      return 'Too many sign-in attempts from your network. Wait a few minutes, then try again.';
    case 'OAUTH_FAILED':
      break;
    default:
      return `Signing in with ${who} did not work. Try again.`;
  }
  switch (reason) {
    case 'state':
      return `This sign-in with ${who} expired, was already used, or began in another browser. Start again from this page.`;
    case 'provider_error':
      return `${Who} did not sign you in (the sign-in was cancelled or refused there). Try again.`;
    case 'issuer':
      return `The answer did not come from ${who} as expected, so it was refused. Try again.`;
    case 'code':
      return `${Who} did not confirm the sign-in (its code was refused or expired). Try again.`;
    case 'id_token':
      return `The identity ${who} sent could not be verified, so it was refused. Try again.`;
    case 'profile':
      return `${Who} did not tell us who you are. Try again, or sign in another way.`;
    case 'email_required':
      return `${Who} did not share an email address with us. Allow access to your email address there, or sign up with a password.`;
    case 'email_unverified':
      return `${Who} has not verified your email address. Verify it there first, or sign up with a password.`;
    case 'account_in_use':
      return `That ${who} account is already linked to another account here. Sign in with it, or link a different one.`;
    default:
      return `Signing in with ${who} did not work. Try again.`;
  }
}

/**
 * What `/sign-in` shows for the callback's redirects, or `undefined` for a plain visit:
 * `?challenge=…` is handed to the second-factor page by the client script (the page only
 * carries where to go next); `?error=…` becomes a message.
 */
export function socialSignInState(
  c: Context<PageEnv>,
  providers: readonly ProviderView[],
): { challenge: Html } | { error: Html } | undefined {
  if (providers.length === 0) return undefined;
  const challenge = c.req.query('challenge');
  if (challenge !== undefined && challenge !== '') {
    const next = localPath(c.req.query('redirectTo'), '/profile');
    // The script moves the challenge to this tab's sessionStorage, takes it off the address
    // bar, then opens /sign-in/two-factor, as after a `two_factor_required` from POST /login.
    return {
      challenge: html`<div data-role="oauth-challenge" data-next="${next}">
        <p>One moment: your account asks for a second factor…</p>
        <noscript><p class="error">This page needs JavaScript.</p></noscript>
      </div>`,
    };
  }
  const code = c.req.query('error');
  if (code === undefined || code === '') return undefined;
  const providerId = c.req.query('provider');
  const name = providers.find((p) => p.id === providerId)?.name;
  return {
    error: html`<p class="error" role="alert" data-testid="oauth-error">
      ${oauthErrorMessage(code, c.req.query('reason'), name)}
    </p>`,
  };
}

/**
 * The "Linked accounts" section of the profile: each linked account (provider, the email it
 * gave, when) with an Unlink button, then a "Link …" button for each provider not linked yet.
 */
export async function linkedAccountsSection(
  c: Context<PageEnv>,
  auth: Auth,
  providers: readonly ProviderView[],
): Promise<Html | string> {
  const { user } = viewerOf(c);
  const accounts = await auth.oauth.accounts(user.id);
  // Nothing to show or offer: no provider configured and nothing linked from before.
  if (providers.length === 0 && accounts.length === 0) return '';
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  const linkedIds = new Set(accounts.map((a) => a.provider));
  const linkable = providers.filter((p) => !linkedIds.has(p.id));
  return html`<h2>Linked accounts</h2>
    <p>Accounts at other sites you can sign in with.</p>
    ${
      accounts.length === 0
        ? html`<p data-testid="no-linked-accounts">No account is linked.</p>`
        : html`<table data-testid="linked-accounts">
            <thead>
              <tr><th>Provider</th><th>Email</th><th>Linked</th><th></th></tr>
            </thead>
            <tbody>
              ${accounts.map((a) => linkedRow(a, nameOf(a.provider)))}
            </tbody>
          </table>`
    }
    ${linkable.map((p) =>
      apiForm(
        {
          api: `POST /oauth/${p.id}/link`,
          after: 'go-to-provider',
          submit: `Link ${p.name}`,
          className: 'link-provider',
        },
        html`<input type="hidden" name="redirectTo" value="/profile" />`,
      ),
    )}
    <p><small>No password yet? Set one with a link from
      <a href="/forgot-password">Forgot your password?</a></small></p>`;
}

function linkedRow(account: LinkedAccount, name: string): Html {
  return html`<tr data-provider="${account.provider}">
    <td>${name}</td>
    <td>${account.email ?? '—'}</td>
    <td>${when(new Date(account.createdAt).toISOString())}</td>
    <td>
      ${apiForm({
        api: `DELETE /oauth/accounts/${encodeURIComponent(account.id)}`,
        next: '/profile?notice=account-unlinked',
        submit: 'Unlink',
        className: 'inline',
        // A refusal ("the only way to sign in") says it in its detail: show that alone.
        data: { 'error-detail': '' },
      })}
    </td>
  </tr>`;
}

/** "Linked: <name>" after the callback's `?linked=<id>`, for a configured provider only. */
export function linkedNotice(
  c: Context<PageEnv>,
  providers: readonly ProviderView[],
): Html | string {
  const id = c.req.query('linked');
  const provider = providers.find((p) => p.id === id);
  if (provider === undefined) return '';
  return html`<p class="notice" role="status" data-testid="linked-notice">
    Linked: you can now sign in with ${provider.name}.
  </p>`;
}
