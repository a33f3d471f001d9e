/**
 * The magic-link part of `/assets/app.js`: it runs inside the closure of `CLIENT_SCRIPT`
 * (`assets.ts`), which calls `forgetMagicLinkEmail` after every sign-in, and adds a handler to
 * its `AFTER` (`assets-two-factor.ts`).
 *
 * The address a link was asked for goes from the sign-in page to the code page in this tab's
 * `sessionStorage`, like a second-factor challenge: not in the URL, where it would stay in the
 * history and the server's logs. The code page still works without it (opened in another tab):
 * its email field is then empty, to fill in.
 */
export const MAGIC_LINK_SCRIPT = `
  const MAGIC_LINK_EMAIL_KEY = 'portcullis.magic-link-email';

  function forgetMagicLinkEmail() {
    sessionStorage.removeItem(MAGIC_LINK_EMAIL_KEY);
  }

  // POST /magic-link answered 202 (whether or not the address has an account): on to the page
  // that takes the mailed code.
  AFTER['magic-link-sent'] = (form) => {
    sessionStorage.setItem(MAGIC_LINK_EMAIL_KEY, String(new FormData(form).get('email') || ''));
    location.assign('/sign-in/code?next=' + encodeURIComponent(form.dataset.next || '/profile'));
  };

  const codeEmail = document.querySelector('[data-role="magic-link-code"] input[name="email"]');
  if (codeEmail && codeEmail.value === '') {
    codeEmail.value = sessionStorage.getItem(MAGIC_LINK_EMAIL_KEY) || '';
    const code = document.querySelector('[data-role="magic-link-code"] input[name="code"]');
    if (codeEmail.value !== '' && code) code.focus();
  }
`;
