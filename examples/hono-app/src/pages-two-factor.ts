import type { Auth, TrustedDeviceInfo } from '@portcullis/core';
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { apiForm, field, type Html, when } from './layout.js';
import { codeField, passwordField } from './two-factor-fields.js';
import { type PageEnv, render, signedInOnly, viewerOf } from './viewer.js';

/** Options of {@link twoFactorPages} and {@link twoFactorSection}. */
export interface TwoFactorPagesOptions {
  /** Whether an SMS sender is configured: the phone number page and text-message codes. */
  sms: boolean;
}

/**
 * Pages that manage the second factor: turn TOTP on (QR code, key, confirmation code, then
 * the recovery codes once), new recovery codes, a phone number for text-message codes, turn
 * it off. The profile shows the state and the trusted devices ({@link twoFactorSection}).
 * Every form posts to the `/2fa/*` routes of the HTTP API through `/assets/app.js`.
 */
export function twoFactorPages(app: Hono<PageEnv>, options: TwoFactorPagesOptions): void {
  const guard = signedInOnly();

  app.get('/two-factor/enable', guard, (c) => {
    if (viewerOf(c).user.twoFactorEnabled) return c.redirect('/profile', 303);
    return render(
      c,
      'Turn on two-factor authentication',
      html`<section data-step="password">
          <p>You need an authenticator app on your phone (Google Authenticator, Microsoft
            Authenticator, 1Password, Aegis…). First, confirm your password.</p>
          ${apiForm(
            { api: 'POST /2fa/totp/enroll', after: 'enrolled', submit: 'Continue' },
            passwordField(),
          )}
        </section>
        <section data-step="scan" hidden>
          <p>Scan this QR code with the app:</p>
          <img class="qr" data-role="totp-qr" alt="QR code of your authenticator key" hidden />
          <p>Or type this key into it (time-based, 6 digits, 30 seconds):
            <code class="secret" data-role="totp-secret" data-testid="totp-secret"></code></p>
          <p><a data-role="otpauth-link" hidden>Open in an authenticator app on this device</a></p>
          <p>Then enter the code that the app shows, to check that it works. This key is valid for
            15 minutes: after that, start again.</p>
          ${apiForm(
            { api: 'POST /2fa/totp/confirm', after: 'recovery-codes', submit: 'Turn on' },
            codeField({ numeric: true }),
          )}
        </section>
        ${recoveryCodesStep('/profile?notice=two-factor-on')}`,
    );
  });

  app.get('/two-factor/recovery-codes', guard, (c) => {
    if (!viewerOf(c).user.twoFactorEnabled) return c.redirect('/profile', 303);
    return render(
      c,
      'New recovery codes',
      html`<section data-step="password">
          <p>Ten new codes replace your current ones, which stop working at once.</p>
          ${apiForm(
            { api: 'POST /2fa/recovery-codes', after: 'recovery-codes', submit: 'Get new codes' },
            passwordField(),
          )}
        </section>
        ${recoveryCodesStep('/profile?notice=recovery-codes-replaced')}`,
    );
  });

  app.get('/two-factor/disable', guard, (c) => {
    if (!viewerOf(c).user.twoFactorEnabled) return c.redirect('/profile', 303);
    return render(
      c,
      'Turn off two-factor authentication',
      html`<p>Signing in will ask for your password only. Your authenticator key, recovery codes
          and trusted devices are removed.</p>
        ${apiForm(
          {
            api: 'POST /2fa/disable',
            next: '/profile?notice=two-factor-off',
            submit: 'Turn off',
            className: 'danger',
          },
          html`${passwordField()}
            ${codeField({ hint: 'From your authenticator app, or one of your recovery codes.' })}`,
        )}`,
    );
  });

  if (options.sms) {
    app.get('/two-factor/phone', guard, (c) => {
      if (!viewerOf(c).user.twoFactorEnabled) return c.redirect('/profile', 303);
      return render(
        c,
        'Text-message codes',
        html`<section data-step="number">
            <p>Add a phone number: signing in can then text you a code.</p>
            ${apiForm(
              {
                api: 'POST /2fa/phone',
                after: 'step',
                data: { show: 'confirm' },
                submit: 'Text me a code',
              },
              html`${field({ label: 'Phone number', name: 'phone', type: 'tel', autocomplete: 'tel', required: true, hint: 'International format, such as +14155550123.' })}
                ${passwordField()}`,
            )}
          </section>
          <section data-step="confirm" hidden>
            <p>We texted a code to that number.${c.var.devMailbox ? ' (In development, texts are printed in the console of the server.)' : ''}</p>
            ${apiForm(
              {
                api: 'POST /2fa/phone/confirm',
                next: '/profile?notice=phone-added',
                submit: 'Confirm',
              },
              codeField({ numeric: true }),
            )}
          </section>`,
      );
    });
  }
}

/**
 * The "Two-factor authentication" section of the profile: off, a button to turn it on; on,
 * its methods, the recovery codes left, links to manage it, and the trusted devices.
 */
export async function twoFactorSection(
  c: Context<PageEnv>,
  auth: Auth,
  options: TwoFactorPagesOptions,
): Promise<Html> {
  const { user } = viewerOf(c);
  const heading = html`<h2>Two-factor authentication</h2>`;
  if (!user.twoFactorEnabled) {
    return html`${heading}
      <p data-testid="two-factor-status">Off. Turned on, signing in also asks for a code from an
        authenticator app on your phone, so that a stolen password alone does not open your
        account.</p>
      <p><a class="button" href="/two-factor/enable">Enable</a></p>`;
  }
  const [status, devices] = await Promise.all([
    auth.twoFactor.status(user.id),
    auth.twoFactor.devices.list(user.id, currentDevice(c, auth)),
  ]);
  const also =
    status.phone === null
      ? 'or one we email you'
      : `one we email you, or one we text to ${status.phone}`;
  return html`${heading}
    <p data-testid="two-factor-status">On. Signing in asks for a code from your authenticator app,
      ${also}. ${status.recoveryCodesLeft} of 10 recovery codes left.</p>
    ${status.recoveryCodesLeft <= 3 ? html`<p class="warning">Few recovery codes left: get new ones.</p>` : ''}
    <ul>
      <li><a href="/two-factor/recovery-codes">Get new recovery codes</a></li>
      ${options.sms ? html`<li><a href="/two-factor/phone">${status.phone === null ? 'Add' : 'Change'} a phone number for text-message codes</a></li>` : ''}
      <li><a href="/two-factor/disable">Turn two-factor authentication off</a></li>
    </ul>
    <h3>Trusted devices</h3>
    <p>Browsers where you chose "Remember this device" skip the code for 30 days.</p>
    ${
      devices.length === 0
        ? html`<p>None.</p>`
        : html`<table>
            <thead><tr><th>Device</th><th>Trusted</th><th>Last used</th><th></th></tr></thead>
            <tbody>${devices.map(deviceRow)}</tbody>
          </table>`
    }`;
}

/**
 * The id of this browser's trusted device, to mark it in the list: the public half of the
 * `{id}.{secret}` token in the device cookie. Not verified here: it only labels a row, and
 * revoking goes through the API, which checks ownership. The name follows the cookie table of
 * the contract (`__Host-` unless `insecureDevMode`; this app sets no cookie domain).
 */
function currentDevice(c: Context<PageEnv>, auth: Auth): { currentDeviceId?: string } {
  const prefix = auth.options.http.cookies.insecureDevMode ? '' : '__Host-';
  const id = getCookie(c, `${prefix}portcullis.device`)?.split('.')[0];
  return id === undefined || id === '' ? {} : { currentDeviceId: id };
}

function deviceRow(d: TrustedDeviceInfo): Html {
  return html`<tr data-device="${d.current ? 'current' : 'other'}">
    <td>${d.userAgent ?? 'Unknown browser'}${d.current ? html`<br /><strong>This browser</strong>` : ''}</td>
    <td>${when(d.createdAt)}<br /><small>until ${when(d.expiresAt)}</small></td>
    <td>${when(d.lastUsedAt)}</td>
    <td>${apiForm({
      api: `DELETE /2fa/devices/${encodeURIComponent(d.id)}`,
      next: '/profile?notice=device-revoked',
      submit: 'Revoke',
      className: 'inline',
    })}</td>
  </tr>`;
}

/** The last step of turning 2FA on or of new codes: the recovery codes, shown this once. */
function recoveryCodesStep(next: string): Html {
  return html`<section data-step="codes" hidden>
    <p class="warning"><strong>Save these recovery codes now</strong>, in a password manager or
      on paper: they are shown only this once. Each one signs you in once if you lose your
      phone.</p>
    <ol class="codes" data-role="recovery-codes" data-testid="recovery-codes"></ol>
    <p><a class="button" href="${next}">I have saved them</a></p>
  </section>`;
}
