import type { Hono } from 'hono';
import { html } from 'hono/html';
import { apiForm, localPath } from './layout.js';
import { codeField, methodChoice } from './two-factor-fields.js';
import { type PageEnv, render } from './viewer.js';

/**
 * `/sign-in/two-factor`: the second step of a sign-in, where `POST /login` answered
 * `two_factor_required`. The client script keeps that answer's challenge in this tab's
 * `sessionStorage` (why there: `assets-two-factor.ts`), adds it to the forms marked
 * `data-challenge` and shows only the methods it offers. `POST /2fa/verify` then signs in.
 * When the methods include `passkey`, "Use a passkey" answers without a code
 * (`assets-passkey-factor.ts`).
 */
export function challengePage(app: Hono<PageEnv>): void {
  app.get('/sign-in/two-factor', (c) => {
    const next = localPath(c.req.query('next'), '/profile');
    const mailbox = c.var.devMailbox
      ? html`<small>Development: mails land in the
          <a href="/dev/mailbox" target="_blank" rel="noopener">dev mailbox</a>.</small>`
      : '';
    return render(
      c,
      'Two-step sign-in',
      html`<div data-role="two-factor-challenge">
        <p>Your account asks for a second factor. Enter a code, or use a passkey where one is
          offered, to finish signing in.</p>
        <p class="error" data-role="sign-in-again" hidden>This sign-in has expired, or began in
          another tab. <a href="/sign-in?next=${encodeURIComponent(next)}">Sign in again</a>.</p>
        ${apiForm(
          { api: 'POST /2fa/verify', next, challenge: true, submit: 'Verify' },
          html`<fieldset>
              <legend>Your code is from</legend>
              ${methodChoice({ method: 'totp', label: 'Your authenticator app', checked: true })}
              ${methodChoice({ method: 'email', label: 'An email from us' })}
              ${methodChoice({ method: 'sms', label: 'A text message from us' })}
              ${methodChoice({ method: 'recovery', label: 'Your recovery codes' })}
            </fieldset>
            <p class="notice" role="status" data-role="code-sent" hidden></p>
            ${codeField({ hint: '6 digits, or one of your recovery codes.' })}
            <label class="choice">
              <input type="checkbox" name="rememberDevice" />
              Remember this device for 30 days
            </label>`,
        )}
        <section class="passkey-factor" data-offer="passkey" data-role="passkey-factor"
          data-next="${next}">
          <p>Or answer with a passkey: this device's screen lock or your security key. "Remember
            this device" above applies to it too.</p>
          <button type="button">Use a passkey</button>
          <p class="error" role="alert" data-role="error" hidden></p>
        </section>
        <div data-offer="email">
          ${apiForm({
            api: 'POST /2fa/email/send',
            challenge: true,
            after: 'code-sent',
            data: { method: 'email' },
            submit: 'Email me a code',
          })}
          ${mailbox}
        </div>
        <div data-offer="sms">
          ${apiForm({
            api: 'POST /2fa/sms/send',
            challenge: true,
            after: 'code-sent',
            data: { method: 'sms' },
            submit: 'Text me a code',
          })}
        </div>
      </div>`,
    );
  });
}
