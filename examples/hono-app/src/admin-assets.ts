/**
 * `/assets/admin.js`, loaded by the admin pages only: sends every `<form data-admin="/path">`
 * as a JSON POST to that route of the app (`admin-actions.ts`), then goes to `data-next`; a
 * refusal shows in the form's error box, as `/assets/app.js` does for the HTTP API.
 *
 * CSRF exactly as the other pages: the session cookie is HttpOnly and `SameSite=Lax`, and the
 * routes accept a POST only from the app's origin with the `x-csrf-token` header equal to the
 * CSRF cookie (`requireAuth` checks both), which scripts of this origin can read and other
 * sites cannot. When that cookie is missing, `GET /api/auth/csrf` sets it.
 */
export const ADMIN_SCRIPT = `'use strict';
(() => {
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
    const res = await fetch('/api/auth/csrf', { credentials: 'same-origin' });
    return (await res.json()).csrfToken;
  }

  function fieldsOf(form) {
    const fields = {};
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string' && value !== '') fields[name] = value;
    }
    return fields;
  }

  function describe(body) {
    const error = body && body.error;
    if (!error) return 'Something went wrong. Try again.';
    const details = Array.isArray(error.details) ? error.details.map((d) => d.message) : [];
    return [error.message, ...details].join(' ');
  }

  function showError(form, text) {
    const box = form.querySelector('[data-role="error"]');
    if (!box) return window.alert(text);
    box.textContent = text;
    box.hidden = false;
  }

  const here = () => location.pathname + location.search;

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.admin) return;
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(form.dataset.admin, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'x-csrf-token': await csrfToken(),
        },
        body: JSON.stringify(fieldsOf(form)),
      });
      const body = await res.json().catch(() => null);
      if (res.ok) {
        location.assign(form.dataset.next || here());
        return;
      }
      if (body && body.error && body.error.code === 'UNAUTHENTICATED') {
        location.assign('/sign-in?next=' + encodeURIComponent(here()));
        return;
      }
      showError(form, describe(body));
    } catch {
      showError(form, 'The server could not be reached. Try again.');
    }
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
  });
})();
`;
