/**
 * The two static files of the app, served from `/assets/` so that the Content-Security-Policy
 * can forbid inline scripts and styles altogether.
 */

/**
 * The whole client side: every `<form data-api="METHOD /path">` is sent to the HTTP API
 * (`/api/auth/path`) as JSON with `fetch`, then the browser goes to `data-next`.
 *
 * CSRF: the session cookie is HttpOnly; the API accepts a cookie-authenticated POST, PATCH or
 * DELETE only from a trusted Origin (the browser sets it) and with the `x-csrf-token` header
 * equal to the CSRF cookie, which scripts of this origin can read and other sites cannot
 * (double submit). When that cookie is missing, `GET /api/auth/csrf` sets it.
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
    for (const [name, value] of new FormData(form)) {
      if (typeof value !== 'string') continue;
      // An empty optional field is left out, or sent as null where null clears it (profile).
      if (value === '' && !form.hasAttribute('data-empty-null')) continue;
      fields[name] = value === '' ? null : value;
      any = true;
    }
    return any ? fields : undefined;
  }

  function showError(form, text) {
    const box = form.querySelector('[data-role="error"]');
    if (!box) return window.alert(text);
    box.textContent = text;
    box.hidden = false;
  }

  function describe(body) {
    const error = body && body.error;
    if (!error) return 'Something went wrong. Try again.';
    const details = Array.isArray(error.details) ? error.details.map((d) => d.message) : [];
    return [error.message, ...details].join(' ');
  }

  const here = () => location.pathname + location.search;

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
    event.preventDefault();
    const [method, path] = form.dataset.api.split(' ');
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const { ok, body } = await call(method, path, fieldsOf(form));
      if (ok && body && body.status === 'two_factor_required') {
        showError(form, 'This account signs in with a second factor, which this example does not handle yet.');
      } else if (ok) {
        location.assign(form.dataset.next || here());
        return;
      } else if (body && body.error && body.error.code === 'REAUTH_REQUIRED') {
        location.assign('/reauthenticate?next=' + encodeURIComponent(here()));
        return;
      } else if (body && body.error && body.error.code === 'UNAUTHENTICATED') {
        location.assign('/sign-in?next=' + encodeURIComponent(here()));
        return;
      } else {
        showError(form, describe(body));
      }
    } catch {
      showError(form, 'The server could not be reached. Try again.');
    }
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
  });

  // Pages reached from a mailed link: drop the token from the address bar and the history
  // (the form keeps it), then send it.
  if (new URLSearchParams(location.search).has('token')) {
    history.replaceState(null, '', location.pathname);
  }
})();
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
input { font: inherit; padding: 0.4rem 0.5rem; }
button { font: inherit; padding: 0.4rem 0.9rem; justify-self: start; cursor: pointer; }
button.link { padding: 0; border: 0; background: none; color: LinkText; text-decoration: underline; }
.danger button { color: #b00020; }
small { opacity: 0.75; }
.notice { padding: 0.6rem 0.8rem; border-left: 4px solid #2e7d32; background: #2e7d3222; }
.error { color: #b00020; margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4rem; border-bottom: 1px solid #8884; vertical-align: top; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { font-weight: 500; }
dd { margin: 0; }
article.mail { border: 1px solid #8886; border-radius: 6px; padding: 0.75rem 1rem; margin: 1rem 0; }
article.mail pre { white-space: pre-wrap; word-break: break-word; font: inherit; }
`;
