/**
 * Sign-in by a mailed link or code (core's `magicLink`, on in this app): the "Email me a link"
 * form of the sign-in page, the page that takes the mailed 6-digit code, and `/magic-link`,
 * where the mailed link lands (`{appUrl}/magic-link?token=…`, core's `magicLink.path`). Both
 * post to `POST /api/auth/magic-link/verify`, which answers as `POST /login`: signed in, or
 * `two_factor_required` for an account with a second factor (the script then asks for it).
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { apiForm, field, type Html, localPath, tokenForm } from './layout.js';
import { codeField } from './two-factor-fields.js';
import { type PageEnv, render } from './viewer.js';

/** Options of {@link magicLinkPages}. */
export interface MagicLinkPagesOptions {
  /** How long a link and its code work, seconds (core's `magicLink.tokenTtlSeconds`). */
  tokenTtlSeconds: number;
}

/** The sign-in page's form: the address, then the code page (`AFTER['magic-link-sent']`). */
export function magicLinkForm(next: string): Html {
  return html`<section class="magic-link" data-testid="magic-link">
    <h2>No password at hand?</h2>
    <p>We email you a link and a code, each good for one sign-in.</p>
    ${apiForm(
      { api: 'POST /magic-link', after: 'magic-link-sent', next, submit: 'Email me a link' },
      field({
        label: 'Email',
        name: 'email',
        type: 'email',
        autocomplete: 'email',
        required: true,
      }),
    )}
  </section>`;
}

/** `/sign-in/code` and `/magic-link`. */
export function magicLinkPages(app: Hono<PageEnv>, options: MagicLinkPagesOptions): void {
  const minutes = Math.round(options.tokenTtlSeconds / 60);

  // The script fills the address in from this tab (where the link was asked for).
  app.get('/sign-in/code', (c) => {
    const next = localPath(c.req.query('next'), '/profile');
    const mailbox = c.var.devMailbox
      ? html`<p>No mail server is configured: open the
          <a href="/dev/mailbox" target="_blank" rel="noopener">dev mailbox</a>.</p>`
      : '';
    return render(
      c,
      'Check your mail',
      html`<p>If an account uses that address, we sent it a sign-in link and a 6-digit code.
          Follow the link, or enter the code here. Either works once, for ${minutes} minutes.</p>
        ${mailbox}
        <div data-role="magic-link-code">
          ${apiForm(
            { api: 'POST /magic-link/verify', next, submit: 'Sign in' },
            html`${field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email', required: true })}
              ${codeField({ numeric: true, hint: 'The 6 digits from the mail.' })}`,
          )}
        </div>
        <p><a href="/sign-in?next=${encodeURIComponent(next)}">Back to signing in</a></p>`,
    );
  });

  // The mailed link lands here; the person clicks to post the token. Mail scanners open links
  // (some run their scripts): signing in on the GET, or from a script, would sign the scanner
  // in and use the link up.
  app.get('/magic-link', (c) =>
    render(
      c,
      'Sign in from your mail',
      tokenForm(c.req.query('token'), {
        api: 'POST /magic-link/verify',
        next: '/profile',
        submit: 'Sign me in',
      }),
    ),
  );
}
