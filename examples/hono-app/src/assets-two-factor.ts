/**
 * The second-factor part of `/assets/app.js`: it runs inside the closure of `CLIENT_SCRIPT`
 * (`assets.ts`), whose form handler calls `readChallenge`, `forgetChallenge`,
 * `startSecondFactor`, `revealSignInAgain`, `ChallengeGone` and the `AFTER` handlers.
 *
 * The challenge of a sign-in that waits for its second factor is kept in `sessionStorage`:
 * - not in a cookie: the browser would attach it to every request to this site, including
 *   the top-level navigations that other sites start (SameSite=Lax lets those through); one
 *   this script can read cannot be HttpOnly; and it would outlive the tab;
 * - not in the URL, not even the fragment: it would stay in the history, be synced across
 *   devices by the browser, and travel in copied or shared links;
 * - `sessionStorage` is this origin's and this tab's only, is sent nowhere by the browser,
 *   and is gone when the tab closes. A script injected into the origin could read it, as it
 *   could read any other place; the challenge alone is not enough to sign in anyway (it needs
 *   a code, and dies after 10 minutes or 5 wrong codes).
 */
export const TWO_FACTOR_SCRIPT = `
  const CHALLENGE_KEY = 'portcullis.two-factor-challenge';

  class ChallengeGone extends Error {}

  function readChallenge() {
    try {
      const pending = JSON.parse(sessionStorage.getItem(CHALLENGE_KEY) || 'null');
      return pending && typeof pending.challenge === 'string' ? pending : undefined;
    } catch {
      return undefined;
    }
  }

  function forgetChallenge() {
    sessionStorage.removeItem(CHALLENGE_KEY);
  }

  // POST /login answered two_factor_required: keep the challenge, then ask for a code.
  function startSecondFactor(body, next) {
    const methods = Array.isArray(body.methods) ? body.methods : [];
    sessionStorage.setItem(CHALLENGE_KEY, JSON.stringify({ challenge: body.challenge, methods }));
    location.assign('/sign-in/two-factor?next=' + encodeURIComponent(next));
  }

  function revealSignInAgain() {
    for (const el of document.querySelectorAll('[data-role="sign-in-again"]')) el.hidden = false;
  }

  // Pages in steps (<section data-step="...">): show one, hide the others.
  function showStep(name) {
    for (const el of document.querySelectorAll('section[data-step]')) {
      el.hidden = el.dataset.step !== name;
    }
    const input = document.querySelector('section[data-step="' + name + '"] input:not([type="hidden"])');
    if (input) input.focus();
  }

  function showRecoveryCodes(codes) {
    const list = document.querySelector('[data-role="recovery-codes"]');
    list.replaceChildren(
      ...codes.map((code) => {
        const item = document.createElement('li');
        item.textContent = code;
        return item;
      }),
    );
    showStep('codes');
  }

  const AFTER = {
    // POST /2fa/totp/enroll: the secret, this once. Shown as text for typing it in, and as a
    // QR code drawn here by uqr (/assets/qr.js): the secret goes nowhere else.
    async enrolled(_form, body) {
      const secret = document.querySelector('[data-role="totp-secret"]');
      secret.textContent = body.secret.match(/.{1,4}/g).join(' ');
      const link = document.querySelector('[data-role="otpauth-link"]');
      if (link) {
        link.href = body.otpauthUri;
        link.hidden = false;
      }
      showStep('scan');
      try {
        const { renderSVG } = await import('/assets/qr.js');
        const img = document.querySelector('[data-role="totp-qr"]');
        // A data: URL, allowed by the CSP's img-src; no inline markup, no style attribute.
        img.src = 'data:image/svg+xml,' + encodeURIComponent(renderSVG(body.otpauthUri, { border: 4 }));
        img.hidden = false;
      } catch {
        // No QR code: the secret in text still works.
      }
    },
    // POST /2fa/totp/confirm and POST /2fa/recovery-codes: ten codes, shown this once.
    'recovery-codes'(_form, body) {
      showRecoveryCodes(body.recoveryCodes);
    },
    // POST /2fa/email/send or /2fa/sms/send: the code is on its way; pick that method.
    'code-sent'(form) {
      const method = form.dataset.method;
      const radio = document.querySelector('input[name="method"][value="' + method + '"]');
      if (radio) radio.checked = true;
      const status = document.querySelector('[data-role="code-sent"]');
      status.textContent =
        method === 'sms'
          ? 'We texted you a code. It works for 10 minutes.'
          : 'We emailed you a code. It works for 10 minutes.';
      status.hidden = false;
      const code = document.querySelector('input[name="code"]');
      if (code) code.focus();
    },
    // A first step done (a code was sent to a new phone number): show the next one.
    step(form) {
      showStep(form.dataset.show);
    },
  };

  // The challenge page offers only the methods this sign-in allows.
  if (document.querySelector('[data-role="two-factor-challenge"]')) {
    const pending = readChallenge();
    if (pending === undefined) {
      for (const form of document.querySelectorAll('form[data-challenge]')) form.hidden = true;
      revealSignInAgain();
    } else {
      for (const el of document.querySelectorAll('[data-offer]')) {
        el.hidden = !pending.methods.includes(el.dataset.offer);
      }
    }
  }
`;

/** Styles of the second-factor pages, appended to `/assets/app.css`. */
export const TWO_FACTOR_STYLES = `
fieldset { border: 1px solid #8886; border-radius: 6px; display: grid; gap: 0.2rem; }
label.choice { font-weight: normal; margin: 0; display: flex; gap: 0.5rem; align-items: center; }
img.qr { width: 14rem; height: 14rem; image-rendering: pixelated; }
.secret { font-family: ui-monospace, monospace; font-size: 1.1rem; word-break: break-all; }
ol.codes { font-family: ui-monospace, monospace; columns: 2 17rem; }
ol.codes li { white-space: nowrap; }
.warning { padding: 0.6rem 0.8rem; border-left: 4px solid #b26a00; background: #b26a0022; }
a.button { display: inline-block; padding: 0.4rem 0.9rem; border: 1px solid #8888; border-radius: 4px;
  text-decoration: none; }
`;
