/**
 * "Use a passkey" of the two-step sign-in page (`pages-challenge.ts`), part of `/assets/app.js`:
 * it runs inside the closure of `CLIENT_SCRIPT` (`assets.ts`), whose `call`, `describe` and
 * `showError` it uses, after `TWO_FACTOR_SCRIPT` (`readChallenge`, `forgetChallenge`,
 * `ChallengeGone`, `revealSignInAgain`), `MAGIC_LINK_SCRIPT` (`forgetMagicLinkEmail`) and
 * `PASSKEY_SCRIPT` (`webauthnSupported`, `loadWebAuthn`, `ceremonyMessage`).
 *
 * Three steps: `POST /2fa/passkey/options` with the pending challenge (the user's passkeys, the
 * WebAuthn challenge derived from the sign-in's), the browser's passkey dialog
 * (`startAuthentication` of `@simplewebauthn/browser`), then `POST /2fa/verify` with
 * `method: 'passkey'` and the browser's response, answered as a code is: signed in, on to
 * `next`; a challenge that has died asks for a new sign-in. The section is shown only when the
 * challenge's `methods` include `passkey` (`data-offer`) and the browser has WebAuthn.
 */
export const PASSKEY_FACTOR_SCRIPT = `
  const passkeyFactor = document.querySelector('[data-role="passkey-factor"]');
  // No WebAuthn here, or no sign-in waiting (then the page offers a new sign-in instead).
  if (passkeyFactor && (!webauthnSupported || readChallenge() === undefined)) {
    passkeyFactor.hidden = true;
  } else if (passkeyFactor) {
    const button = passkeyFactor.querySelector('button');

    // A refusal of /2fa/passkey/options or /2fa/verify; ChallengeGone when only a new sign-in helps.
    function passkeyFactorRefusal(body) {
      const code = body && body.error ? body.error.code : undefined;
      if (code === 'TOKEN_INVALID' || code === 'TOKEN_EXPIRED') throw new ChallengeGone();
      if (code === 'CODE_INVALID') {
        return 'This passkey could not be verified. Try again, or enter a code.';
      }
      // VALIDATION_FAILED from the options: no passkey left on the account (its detail says so).
      return describe(body, true);
    }

    button.addEventListener('click', async () => {
      button.disabled = true;
      passkeyFactor.setAttribute('aria-busy', 'true');
      passkeyFactor.querySelector('[data-role="error"]').hidden = true;
      try {
        const pending = readChallenge();
        if (pending === undefined) throw new ChallengeGone();
        const { challenge } = pending;
        const [{ startAuthentication }, options] = await Promise.all([
          loadWebAuthn(),
          call('POST', '/2fa/passkey/options', { challenge }),
        ]);
        if (!options.ok) {
          showError(passkeyFactor, passkeyFactorRefusal(options.body));
        } else {
          let response;
          try {
            response = await startAuthentication({ optionsJSON: options.body.options });
          } catch (error) {
            showError(passkeyFactor, ceremonyMessage(error, 'Answering with a passkey'));
          }
          if (response) {
            const remember = document.querySelector('form[data-challenge] input[name="rememberDevice"]');
            const rememberDevice = Boolean(remember && remember.checked);
            const verified = await call('POST', '/2fa/verify', { challenge, method: 'passkey', response, rememberDevice });
            if (verified.ok && verified.body && verified.body.status === 'signed_in') {
              forgetChallenge();
              forgetMagicLinkEmail();
              location.assign(passkeyFactor.dataset.next || '/profile');
              return;
            }
            showError(passkeyFactor, passkeyFactorRefusal(verified.body));
          }
        }
      } catch (error) {
        if (error instanceof ChallengeGone) {
          forgetChallenge();
          showError(passkeyFactor, 'This sign-in has expired. Sign in again.');
          revealSignInAgain();
        } else {
          showError(passkeyFactor, 'The server could not be reached. Try again.');
        }
      }
      button.disabled = false;
      passkeyFactor.removeAttribute('aria-busy');
    });
  }
`;
