/**
 * The profile's "Add a passkey", part of `/assets/app.js`: it runs inside the closure of
 * `CLIENT_SCRIPT` (`assets.ts`), after `PASSKEY_SCRIPT` (`assets-passkeys.ts`), whose
 * `webauthnSupported`, `loadWebAuthn`, `ceremonyMessage` and `passkeyRefusal` it uses.
 *
 * Three steps: `POST /passkeys/register/options` (a session older than 10 minutes gets
 * `REAUTH_REQUIRED`, which leads to the password page first, as for the other sensitive
 * forms), the browser creates the passkey (`startRegistration` of `@simplewebauthn/browser`),
 * then `POST /passkeys/register/verify` with the optional name keeps it.
 */
export const PASSKEY_REGISTER_SCRIPT = `
  const registerForm = document.querySelector('form[data-role="passkey-register"]');
  if (registerForm && !webauthnSupported) {
    registerForm.hidden = true;
    for (const el of document.querySelectorAll('[data-role="passkey-unsupported"]')) el.hidden = false;
  } else if (registerForm) {
    registerForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = registerForm.querySelector('button[type="submit"]');
      button.disabled = true;
      registerForm.setAttribute('aria-busy', 'true');
      registerForm.querySelector('[data-role="error"]').hidden = true;
      try {
        const name = String(new FormData(registerForm).get('name') || '').trim();
        const [{ startRegistration }, options] = await Promise.all([
          loadWebAuthn(),
          call('POST', '/passkeys/register/options'),
        ]);
        const code = options.body && options.body.error ? options.body.error.code : undefined;
        if (!options.ok) {
          if (redirectFor(code)) return;
          showError(registerForm, describe(options.body));
        } else {
          let response;
          try {
            response = await startRegistration({ optionsJSON: options.body });
          } catch (error) {
            showError(registerForm, ceremonyMessage(error, 'Adding a passkey'));
          }
          if (response) {
            const saved = await call('POST', '/passkeys/register/verify', name ? { response, name } : { response });
            if (saved.ok) return location.assign('/profile?notice=passkey-added');
            showError(registerForm, passkeyRefusal(saved.body, 'The passkey could not be verified. Try again.'));
          }
        }
      } catch {
        showError(registerForm, 'The server could not be reached. Try again.');
      }
      button.disabled = false;
      registerForm.removeAttribute('aria-busy');
    });
  }
`;
