/**
 * The static files of the app, served from `/assets/` so that the Content-Security-Policy
 * can forbid inline scripts and styles altogether.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MAGIC_LINK_SCRIPT } from './assets-magic-link.js';
import { PASSKEY_FACTOR_SCRIPT } from './assets-passkey-factor.js';
import { PASSKEY_REGISTER_SCRIPT } from './assets-passkey-register.js';
import { PASSKEY_SCRIPT, PASSKEY_STYLES } from './assets-passkeys.js';
import { SOCIAL_SCRIPT, SOCIAL_STYLES } from './assets-social.js';
import { TWO_FACTOR_SCRIPT, TWO_FACTOR_STYLES } from './assets-two-factor.js';

/**
 * `/assets/qr.js`: the QR code encoder of the `uqr` package (MIT, no dependencies), its ES
 * module file as published. The script imports it only on the page that shows a TOTP key, and
 * draws the QR code in the browser, so the key goes to no other server route.
 */
export const QR_MODULE = readFileSync(
  // `uqr` exports `import` → dist/index.mjs and `require` → dist/index.cjs, side by side.
  join(dirname(createRequire(import.meta.url).resolve('uqr')), 'index.mjs'),
  'utf8',
);

/**
 * The whole client side: every `<form data-api="METHOD /path">` is sent to the HTTP API
 * (`/api/auth/path`) as JSON with `fetch`, then the browser goes to `data-next`.
 *
 * CSRF: the session cookie is HttpOnly; the API accepts a cookie-authenticated POST, PATCH or
 * DELETE only from a trusted Origin (the browser sets it) and with the `x-csrf-token` header
 * equal to the CSRF cookie, which scripts of this origin can read and other sites cannot
 * (double submit). When that cookie is missing, `GET /api/auth/csrf` sets it.
 *
 * A form with `data-after="name"` stays on its page and hands the answer to that handler
 * (a TOTP secret, recovery codes); `data-challenge` forms carry the pending sign-in's
 * challenge. Both are in {@link TWO_FACTOR_SCRIPT}, which runs inside the same closure, as
 * do {@link SOCIAL_SCRIPT} (social sign-in: linking, a social sign-in's second factor),
 * {@link MAGIC_LINK_SCRIPT} (the code page of a mailed sign-in link) and
 * {@link PASSKEY_SCRIPT} (passkey sign-in, autofill included),
 * {@link PASSKEY_REGISTER_SCRIPT} (the profile's "Add a passkey") and
 * {@link PASSKEY_FACTOR_SCRIPT} (a passkey as the second factor of a sign-in).
 * A form with `data-error-detail` shows only the details of a refusal when it has some.
 */
export const CLIENT_SCRIPT = `'use strict';
(() => {
  const API = '/api/auth';
  const CSRF_COOKIE = '__Host-portcullis.csrf';

  function readCookie(name) {
    for (const part of document.cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  async function csrfToken() {
    const fromCookie = readCookie(CSRF_COOKIE);
    if (fromCookie) return fromCookie;
    const res = await fetch(API + '/csrf', { credentials: 'same-origin' });
    return (await res.json()).csrfToken;
  }

  async function call(method, path, fields) {
    const headers = { accept: 'application/json', 'x-csrf-token': await csrfToken() };
    const init = { method, headers, credentials: 'same-origin' };
    if (fields !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(fields);
    }
    const res = await fetch(API + path, init);
    const body = res.status === 204 ? null : await res.json().catch(() => null);
    return { ok: res.ok, body };
  }

  function fieldsOf(form) {
    const fields = {};
    let any = false;
    // A checkbox is a yes or no: sent as true or false (FormData leaves unchecked ones out).
    const boxes = form.querySelectorAll('input[type="checkbox"][name]');
    for (const box of boxes) {
      fields[box.name] = box.checked;
      any = true;
    }
    for (const [name, value] of new FormData(form)) {
      if (typeof value !== 'string' || typeof fields[name] === 'boolean') continue;
      // An empty optional field is left out, or sent as null where null clears it (profile).
      if (value === '' && !form.hasAttribute('data-empty-null')) continue;
      fields[name] = value === '' ? null : value;
      any = true;
    }
    return any ? fields : undefined;
  }

  // The inputs a refusal names (\`details[].path\`), marked for the eye and screen readers.
  function markInvalid(form, body) {
    const details = body && body.error && Array.isArray(body.error.details) ? body.error.details : [];
    const named = new Set(details.map((d) => d.path));
    for (const input of form.querySelectorAll('[name]')) {
      if (named.has(input.name)) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function showError(form, text) {
    const box = form.querySelector('[data-role="error"]');
    if (!box) return window.alert(text);
    box.textContent = text;
    box.hidden = false;
  }

  function describe(body, detailOnly) {
    const error = body && body.error;
    if (!error) return 'Something went wrong. Try again.';
    const details = Array.isArray(error.details) ? error.details.map((d) => d.message) : [];
    if (detailOnly && details.length > 0) return details.join(' ');
    return [error.message, ...details].join(' ');
  }

  const here = () => location.pathname + location.search;

  // Refusals that another page answers: the password again, or a sign-in. True when leaving.
  function redirectFor(code) {
    if (code === 'REAUTH_REQUIRED') {
      location.assign('/reauthenticate?next=' + encodeURIComponent(here()));
    } else if (code === 'UNAUTHENTICATED') {
      location.assign('/sign-in?next=' + encodeURIComponent(here()));
    } else {
      return false;
    }
    return true;
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
    event.preventDefault();
    // A password (or a request for a link) instead of the passkey autofill: end its request.
    stopPasskeyAutofill();
    const [method, path] = form.dataset.api.split(' ');
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      let fields = fieldsOf(form);
      if (form.hasAttribute('data-challenge')) {
        const pending = readChallenge();
        if (pending === undefined) throw new ChallengeGone();
        fields = { ...fields, challenge: pending.challenge };
      }
      const { ok, body } = await call(method, path, fields);
      const code = body && body.error ? body.error.code : undefined;
      if (ok && body && body.status === 'two_factor_required') {
        startSecondFactor(body, form.dataset.next || '/profile');
        return;
      } else if (ok && form.dataset.after) {
        // Answers to show on this page (a TOTP secret, recovery codes) instead of leaving it.
        await AFTER[form.dataset.after](form, body);
      } else if (ok) {
        if (body && body.status === 'signed_in') {
          forgetChallenge();
          forgetMagicLinkEmail();
        }
        location.assign(form.dataset.next || here());
        return;
      } else if (redirectFor(code)) {
        return;
      } else if (form.hasAttribute('data-challenge') && (code === 'TOKEN_INVALID' || code === 'TOKEN_EXPIRED')) {
        // Expired, used up (5 wrong codes) or already used: only a new sign-in helps.
        throw new ChallengeGone();
      } else {
        showError(form, describe(body, form.hasAttribute('data-error-detail')));
        markInvalid(form, body);
        // Still here (a wrong password…): offer the passkeys in the autofill again.
        void startPasskeyAutofill();
      }
    } catch (error) {
      if (error instanceof ChallengeGone) {
        forgetChallenge();
        showError(form, 'This sign-in has expired. Sign in again.');
        revealSignInAgain();
      } else {
        showError(form, 'The server could not be reached. Try again.');
      }
    }
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
  });

  // Pages reached from a mailed link: drop the token from the address bar and the history
  // (the form keeps it), then send it.
  if (new URLSearchParams(location.search).has('token')) {
    history.replaceState(null, '', location.pathname);
  }
${TWO_FACTOR_SCRIPT}${SOCIAL_SCRIPT}${MAGIC_LINK_SCRIPT}${PASSKEY_SCRIPT}${PASSKEY_REGISTER_SCRIPT}${PASSKEY_FACTOR_SCRIPT}})();
`;

/** A little CSS, nothing more. */
export const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: 0.75rem 1.5rem; border-bottom: 1px solid #8884; }
header nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
.brand { font-weight: 600; text-decoration: none; }
main { max-width: 42rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
form { display: grid; gap: 0.4rem; margin: 1rem 0; }
form.inline { display: inline; margin: 0; }
label { font-weight: 500; margin-top: 0.4rem; }
input, textarea { font: inherit; padding: 0.4rem 0.5rem; }
[aria-invalid="true"] { outline: 2px solid #b00020; }
button { font: inherit; padding: 0.4rem 0.9rem; justify-self: start; cursor: pointer; }
button.link { padding: 0; border: 0; background: none; color: LinkText; text-decoration: underline; }
.danger button { color: #b00020; }
small { opacity: 0.75; }
.notice { padding: 0.6rem 0.8rem; border-left: 4px solid #2e7d32; background: #2e7d3222; }
/* An admin signed in as the user: impossible to miss, on every page. */
.impersonation { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center;
  padding: 0.5rem 1.5rem; background: #b26a00; color: #fff; }
.impersonation p { margin: 0; }
.error { color: #b00020; margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4rem; border-bottom: 1px solid #8884; vertical-align: top; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { font-weight: 500; }
dd { margin: 0; }
article.mail { border: 1px solid #8886; border-radius: 6px; padding: 0.75rem 1rem; margin: 1rem 0; }
article.mail pre { white-space: pre-wrap; word-break: break-word; font: inherit; }
/* A bio as typed: runs of spaces kept, long words wrapped; a URL wraps anywhere. */
.bio { white-space: pre-wrap; overflow-wrap: anywhere; }
.url { overflow-wrap: anywhere; }
img.avatar { width: 96px; height: 96px; max-width: 100%; object-fit: cover; border-radius: 50%; }
[hidden] { display: none !important; }
${TWO_FACTOR_STYLES}${SOCIAL_STYLES}${PASSKEY_STYLES}`;
