/** Fields shared by the second-factor pages, the sign-in challenge and the password check. */
import { html } from 'hono/html';
import { field, type Html } from './layout.js';

/** The current password, which the `/2fa/*` settings ask again. */
export function passwordField(): Html {
  return field({
    label: 'Password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
}

/** The field of a second-factor code: 6 digits from an app, mail or SMS, or a recovery code. */
export function codeField(options: { numeric?: boolean; hint?: string } = {}): Html {
  return field({
    label: 'Code',
    name: 'code',
    autocomplete: 'one-time-code',
    required: true,
    ...(options.numeric === true ? { inputmode: 'numeric' } : {}),
    ...(options.hint === undefined ? {} : { hint: options.hint }),
  });
}

/** One radio button of the `method` field; `data-offer` lets the script hide it. */
export function methodChoice(options: { method: string; label: string; checked?: boolean }): Html {
  return html`<label class="choice" data-offer="${options.method}">
    <input type="radio" name="method" value="${options.method}" ${options.checked === true ? html`checked` : ''} />
    ${options.label}
  </label>`;
}
