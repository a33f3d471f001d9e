/**
 * The passkey part of `/assets/app.js`: it runs inside the closure of `CLIENT_SCRIPT`
 * (`assets.ts`), whose `call`, `describe`, `showError`, `redirectFor`, `forgetChallenge`,
 * `startSecondFactor` and `forgetMagicLinkEmail` it uses; the form handler there calls
 * `stopPasskeyAutofill` and `startPasskeyAutofill`. The WebAuthn ceremonies are
 * `@simplewebauthn/browser`'s, imported from `/assets/webauthn/` (`assets-webauthn.ts`) on the
 * pages that need them.
 *
 * On the sign-in page two ways lead to the same `POST /passkeys/login/verify`:
 * - autofill (conditional UI): started as the page loads when
 *   `PublicKeyCredential.isConditionalMediationAvailable()` says yes; the browser then offers
 *   the passkeys in the suggestions of the username field (`autocomplete="username webauthn"`)
 *   and the request waits, silently, until the person picks one;
 * - the "Sign in with a passkey" button: the browser's own passkey dialog.
 * A browser runs one WebAuthn request at a time, so the button and a password submit first end
 * the waiting autofill request (its AbortSignal, through the library's `WebAuthnAbortService`);
 * an autofill request that ends without a passkey (aborted, refused by the browser) says
 * nothing: the other ways still work. The profile's "Add a passkey" is in
 * `assets-passkey-register.ts`, which uses `loadWebAuthn`, `ceremonyMessage` and
 * `passkeyRefusal` from here.
 */
export const PASSKEY_SCRIPT = `
  const webauthnSupported = typeof window.PublicKeyCredential === 'function';
  let webauthnImport;
  // The module once loaded: stopPasskeyAutofill must reach its abort service at once.
  let webauthn;
  function loadWebAuthn() {
    webauthnImport ??= import('/assets/webauthn/index.js').then(
      (module) => (webauthn = module),
      (error) => {
        webauthnImport = undefined;
        throw error;
      },
    );
    return webauthnImport;
  }

  // Why a ceremony ended without a credential, for people. NotAllowedError stands for both
  // "cancelled" and "timed out", and for "no passkey here": browsers do not tell pages which
  // passkeys exist (WebAuthn, privacy considerations of the client).
  function ceremonyMessage(error, what) {
    const name = error && error.name;
    if (name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
    if (name === 'NotAllowedError' || name === 'AbortError') {
      return what + ' was cancelled, timed out, or found no passkey. Try again, or use another way.';
    }
    return what + ' did not work in this browser. Try again, or use another way.';
  }

  // A PASSKEY_INVALID refusal in words: \`fallback\`, or the words of its reason
  // (details[0].message) when the server sends one (core's HTTP layer sends none today).
  function passkeyRefusal(body, fallback) {
    const error = body && body.error;
    if (!error || error.code !== 'PASSKEY_INVALID') return describe(body);
    const reason = Array.isArray(error.details) && error.details[0] ? error.details[0].message : '';
    if (reason === 'unknown_credential') {
      return 'This passkey is not registered here (any more). Sign in another way, then add it again from your profile.';
    }
    if (reason === 'credential_in_use') return 'This passkey is registered already.';
    return fallback;
  }

  const passkeyBox = document.querySelector('[data-role="passkey-sign-in"]');
  // The autofill request waiting now, if any: { cancelled }.
  let autofill;

  function passkeyError(text) {
    const box = passkeyBox.querySelector('[data-role="error"]');
    box.textContent = text;
    box.hidden = false;
  }

  // POST /passkeys/login/verify; signed in, on to where the person was going.
  async function finishPasskeySignIn(challengeId, response) {
    const next = passkeyBox.dataset.next || '/profile';
    const { ok, body } = await call('POST', '/passkeys/login/verify', { challengeId, response });
    if (ok && body && body.status === 'signed_in') {
      forgetChallenge();
      forgetMagicLinkEmail();
      location.assign(next);
      return true;
    }
    // A passkey proves two factors; kept for a server that asks for more anyway.
    if (ok && body && body.status === 'two_factor_required') {
      startSecondFactor(body, next);
      return true;
    }
    passkeyError(
      passkeyRefusal(
        body,
        'This passkey could not sign you in. If you deleted it from your profile, sign in another way, then add it again.',
      ),
    );
    return false;
  }

  async function startPasskeyAutofill() {
    if (!passkeyBox || !webauthnSupported || autofill) return;
    const attempt = { cancelled: false };
    autofill = attempt;
    try {
      const conditional = PublicKeyCredential.isConditionalMediationAvailable;
      if (typeof conditional !== 'function' || !(await conditional.call(PublicKeyCredential))) return;
      const [{ startAuthentication }, options] = await Promise.all([
        loadWebAuthn(),
        call('POST', '/passkeys/login/options'),
      ]);
      if (attempt.cancelled || !options.ok) return;
      const response = await startAuthentication({
        optionsJSON: options.body.options,
        useBrowserAutofill: true,
      });
      if (attempt.cancelled) return;
      // Picked: from here on a submit no longer cancels anything.
      autofill = undefined;
      await finishPasskeySignIn(options.body.challengeId, response);
    } catch {
      // Aborted by the button or a password, refused by the browser, or offline: say nothing,
      // the button and the password still work (and say what goes wrong).
    } finally {
      if (autofill === attempt) autofill = undefined;
    }
  }

  function stopPasskeyAutofill() {
    if (!autofill) return;
    autofill.cancelled = true;
    autofill = undefined;
    // Rejects the waiting navigator.credentials.get() (AbortError); one not started yet sees
    // \`cancelled\` and never starts.
    if (webauthn) webauthn.WebAuthnAbortService.cancelCeremony();
  }

  if (passkeyBox && webauthnSupported) {
    passkeyBox.hidden = false;
    const button = passkeyBox.querySelector('button');
    button.addEventListener('click', async () => {
      stopPasskeyAutofill();
      button.disabled = true;
      passkeyBox.setAttribute('aria-busy', 'true');
      passkeyBox.querySelector('[data-role="error"]').hidden = true;
      let done = false;
      try {
        const [{ startAuthentication }, options] = await Promise.all([
          loadWebAuthn(),
          call('POST', '/passkeys/login/options'),
        ]);
        if (!options.ok) {
          passkeyError(describe(options.body));
        } else {
          let response;
          try {
            response = await startAuthentication({ optionsJSON: options.body.options });
          } catch (error) {
            passkeyError(ceremonyMessage(error, 'Signing in with a passkey'));
          }
          if (response) done = await finishPasskeySignIn(options.body.challengeId, response);
        }
      } catch {
        passkeyError('The server could not be reached. Try again.');
      }
      if (done) return;
      button.disabled = false;
      passkeyBox.removeAttribute('aria-busy');
      void startPasskeyAutofill();
    });
    void startPasskeyAutofill();
  }
`;

/** Styles of the passkey parts, appended to `/assets/app.css`. */
export const PASSKEY_STYLES = `
section.passkey-sign-in, section.magic-link, section.passkey-factor { margin: 1rem 0; }
form.passkey-action { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; margin: 0.2rem 0; }
form.passkey-action input { width: 9rem; }
`;
