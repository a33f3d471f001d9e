/**
 * Passkeys on the pages: the "Sign in with a passkey" button of the sign-in page, and the
 * "Passkeys" section of the profile (the list, add, rename, delete). The ceremonies run in the
 * browser (`assets-passkeys.ts`, with `@simplewebauthn/browser`); the routes are core's
 * `/api/auth/passkeys/...` (`packages/core/src/http/operations/passkeys.ts`).
 */
import type { Auth, PasskeyView } from '@portcullis/core';
import type { Context } from 'hono';
import { html } from 'hono/html';
import { apiForm, field, type Html, when } from './layout.js';
import { type PageEnv, viewerOf } from './viewer.js';

/**
 * The button of the sign-in page, with the box its errors go to. Hidden until the script finds
 * WebAuthn in the browser; the same script starts the autofill request, which offers the
 * passkeys in the username field (`autocomplete="username webauthn"`, set by the page).
 */
export function passkeySignIn(next: string): Html {
  return html`<section class="passkey-sign-in" data-role="passkey-sign-in" data-next="${next}" hidden>
    <button type="button">Sign in with a passkey</button>
    <p class="error" role="alert" data-role="error" hidden></p>
  </section>`;
}

/** The "Passkeys" section of the profile; nothing when passkeys are off. */
export async function passkeysSection(c: Context<PageEnv>, auth: Auth): Promise<Html | string> {
  if (auth.options.passkeys === false) return '';
  const passkeys = await auth.passkeys.list(viewerOf(c).user.id);
  return html`<h2>Passkeys</h2>
    <p>A passkey signs you in with this device's screen lock (fingerprint, face, PIN) or a
      security key: nothing to type, nothing a fake site can take from you.</p>
    ${
      passkeys.length === 0
        ? html`<p data-testid="no-passkeys">No passkey yet.</p>`
        : html`<table data-testid="passkeys">
            <thead>
              <tr><th>Name</th><th>Added</th><th>Last used</th><th>Synced</th><th></th></tr>
            </thead>
            <tbody>
              ${passkeys.map(passkeyRow)}
            </tbody>
          </table>`
    }
    <form data-role="passkey-register">
      ${field({
        label: 'Name of the new passkey (optional)',
        name: 'name',
        hint: 'Such as "Work laptop". Without one, it is named after this browser.',
      })}
      <p class="error" role="alert" data-role="error" hidden></p>
      <button type="submit">Add a passkey</button>
    </form>
    <p data-role="passkey-unsupported" hidden>This browser cannot create passkeys.</p>`;
}

/** Synced (backed up), eligible but not backed up yet, or bound to one device. */
function syncState(p: PasskeyView): string {
  if (p.backedUp) return 'Yes';
  return p.deviceType === 'multiDevice' ? 'Not yet' : 'No, this device only';
}

function passkeyRow(p: PasskeyView): Html {
  const id = encodeURIComponent(p.id);
  return html`<tr data-passkey="${p.id}">
    <td data-role="passkey-name">${p.name}</td>
    <td>${when(new Date(p.createdAt).toISOString())}</td>
    <td data-role="passkey-last-used">${p.lastUsedAt === null ? 'Never' : when(new Date(p.lastUsedAt).toISOString())}</td>
    <td data-role="passkey-synced">${syncState(p)}</td>
    <td>
      ${apiForm(
        {
          api: `PATCH /passkeys/${id}`,
          next: '/profile?notice=passkey-renamed',
          submit: 'Rename',
          className: 'passkey-action',
        },
        html`<input name="name" value="${p.name}" aria-label="New name for ${p.name}" maxlength="64" required />`,
      )}
      ${apiForm({
        api: `DELETE /passkeys/${id}`,
        next: '/profile?notice=passkey-removed',
        submit: 'Delete',
        className: 'passkey-action danger',
        // A refusal ("the last way to sign in") says it in its detail: show that alone.
        data: { 'error-detail': '' },
      })}
    </td>
  </tr>`;
}
