import type { Hono } from 'hono';
import { html } from 'hono/html';
import { apiForm, field, localPath, tokenForm } from './layout.js';
import { magicLinkForm } from './pages-magic-link.js';
import { passkeySignIn } from './pages-passkeys.js';
import { type ProviderView, socialButtons, socialSignInState } from './pages-social.js';
import { bioField } from './profile-fields.js';
import { type PageEnv, render } from './viewer.js';

/** Options of {@link publicPages}. */
export interface PublicPagesOptions {
  /** The HTTP API's base path (`/api/auth`), for the social sign-in links. */
  basePath: string;
  /** The social sign-in providers configured; none: no "Sign in with …" buttons. */
  providers: readonly ProviderView[];
  /** Passkeys on (core's default): the sign-in page offers them, by button and by autofill. */
  passkeys: boolean;
  /** Magic links on (`magicLink` of `createAuth`): the sign-in page has "Email me a link". */
  magicLink: boolean;
}

/**
 * Pages for visitors: home, sign up, "check your mail", the pages mailed links land on
 * (verify email, reset password, confirm a new email), sign in and forgot password. Each
 * form posts to the HTTP API through `/assets/app.js`. With social sign-in configured, the
 * sign-in and sign-up pages offer its buttons, and the sign-in page shows what the provider's
 * callback sends there (`src/pages-social.ts`). The sign-in page also offers passkeys
 * (`src/pages-passkeys.ts`) and mailed links (`src/pages-magic-link.ts`) when they are on.
 */
export function publicPages(app: Hono<PageEnv>, options: PublicPagesOptions): void {
  const { basePath, providers } = options;
  // `webauthn` last: the browser offers passkeys in this field's autofill (conditional UI).
  const identifierAutocomplete = options.passkeys ? 'username webauthn' : 'username';

  app.get('/', (c) => {
    const viewer = c.var.viewer;
    const content =
      viewer === undefined
        ? html`<p>A small app on Hono that shows what Portcullis does: sign up, confirm your
              address, sign in, manage your profile, sessions and password.</p>
            <p><a href="/sign-up">Create an account</a> or <a href="/sign-in">sign in</a>.</p>`
        : html`<p>You are signed in as <strong>${viewer.user.email}</strong>.</p>
            <p><a href="/profile">Your profile</a> · <a href="/sessions">Your sessions</a></p>`;
    return render(c, 'Welcome', content);
  });

  app.get('/sign-up', (c) =>
    render(
      c,
      'Sign up',
      html`${apiForm(
        { api: 'POST /register', next: '/check-mail?for=verify', submit: 'Create account' },
        html`${field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email', required: true })}
          ${field({
            label: 'Password',
            name: 'password',
            type: 'password',
            autocomplete: 'new-password',
            required: true,
            hint: 'At least 8 characters; common passwords are refused.',
          })}
          ${field({ label: 'Username (optional)', name: 'username', autocomplete: 'username' })}
          ${field({ label: 'First name (optional)', name: 'firstName', autocomplete: 'given-name' })}
          ${field({ label: 'Last name (optional)', name: 'lastName', autocomplete: 'family-name' })}
          ${bioField({ label: 'About you (optional)' })}`,
      )}
        ${socialButtons(basePath, providers, { next: '/profile', verb: 'Sign up' })}
        <p>Already registered? <a href="/sign-in">Sign in</a>.</p>`,
    ),
  );

  app.get('/check-mail', (c) => {
    const reset = c.req.query('for') === 'reset';
    const mailbox = c.var.devMailbox
      ? html`<p>No mail server is configured: open the <a href="/dev/mailbox">dev mailbox</a>.</p>`
      : '';
    const content = reset
      ? html`<p>If an account uses that address, we sent it a link to choose a new password.
          The link works once, for 30 minutes.</p>${mailbox}`
      : html`<p>We sent a link to the address you entered. Follow it to confirm the address,
            then sign in.</p>
          ${mailbox}
          <h2>No mail?</h2>
          ${apiForm(
            {
              api: 'POST /email/verify/resend',
              next: '/check-mail?for=verify',
              submit: 'Send the link again',
            },
            field({
              label: 'Email',
              name: 'email',
              type: 'email',
              autocomplete: 'email',
              required: true,
            }),
          )}`;
    return render(c, 'Check your mail', content);
  });

  // The mailed link lands here; the user clicks to post the token. Neither the GET nor any
  // script uses it up, so mail scanners that open links (even running their scripts) cannot.
  app.get('/verify-email', (c) =>
    render(
      c,
      'Confirm your email address',
      tokenForm(c.req.query('token'), {
        api: 'POST /email/verify',
        next: '/sign-in?notice=verified',
        submit: 'Confirm my address',
      }),
    ),
  );

  app.get('/confirm-email', (c) =>
    render(
      c,
      'Confirm your new email address',
      tokenForm(c.req.query('token'), {
        api: 'POST /user/email/confirm',
        next:
          c.var.viewer === undefined
            ? '/sign-in?notice=email-changed'
            : '/profile?notice=email-changed',
        submit: 'Confirm the new address',
      }),
    ),
  );

  app.get('/sign-in', (c) => {
    const next = localPath(c.req.query('next'), '/profile');
    const social = socialSignInState(c, providers);
    if (social !== undefined && 'challenge' in social) {
      return render(c, 'Two-step sign-in', social.challenge);
    }
    return render(
      c,
      'Sign in',
      html`${social === undefined ? '' : social.error}
        ${apiForm(
          { api: 'POST /login', next, submit: 'Sign in' },
          html`${field({ label: 'Email or username', name: 'identifier', autocomplete: identifierAutocomplete, required: true })}
          ${field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })}`,
        )}
        ${options.passkeys ? passkeySignIn(next) : ''}
        ${options.magicLink ? magicLinkForm(next) : ''}
        ${socialButtons(basePath, providers, { next, verb: 'Sign in' })}
        <p><a href="/forgot-password">Forgot your password?</a> · <a href="/sign-up">Create an account</a></p>`,
    );
  });

  app.get('/forgot-password', (c) =>
    render(
      c,
      'Forgot your password?',
      html`<p>Enter the address of your account; we mail you a link to choose a new password.</p>
        ${apiForm(
          { api: 'POST /password/reset', next: '/check-mail?for=reset', submit: 'Send the link' },
          field({
            label: 'Email',
            name: 'email',
            type: 'email',
            autocomplete: 'email',
            required: true,
          }),
        )}`,
    ),
  );

  app.get('/reset-password', (c) => {
    const token = c.req.query('token');
    // Notices about password changes link here without a token: send them to the request form.
    if (token === undefined || token === '') return c.redirect('/forgot-password', 303);
    return render(
      c,
      'Choose a new password',
      apiForm(
        {
          api: 'POST /password/reset/confirm',
          next: '/sign-in?notice=password-reset',
          submit: 'Set the new password',
        },
        html`<input type="hidden" name="token" value="${token}" />
          ${field({ label: 'New password', name: 'newPassword', type: 'password', autocomplete: 'new-password', required: true })}`,
      ),
    );
  });
}
