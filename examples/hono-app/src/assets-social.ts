/**
 * The social sign-in part of `/assets/app.js`: it runs inside the closure of `CLIENT_SCRIPT`
 * (`assets.ts`), after `TWO_FACTOR_SCRIPT`, whose `startSecondFactor` and `AFTER` it uses.
 */
export const SOCIAL_SCRIPT = `
  // POST /oauth/:provider/link answered { url }: on to the provider, which comes back to
  // /profile?linked=<provider>. (REAUTH_REQUIRED went to /reauthenticate before this.)
  AFTER['go-to-provider'] = (_form, body) => {
    location.assign(body.url);
  };

  // The callback of a social sign-in whose user has 2FA came back with the challenge in the
  // query: keep it in this tab's sessionStorage like a two_factor_required answer of
  // POST /login, take it off the address bar and the history, and ask for the code. The
  // challenge cookie that binds it to this browser was set by the callback.
  const socialChallenge = document.querySelector('[data-role="oauth-challenge"]');
  if (socialChallenge) {
    const params = new URLSearchParams(location.search);
    const challenge = params.get('challenge');
    const methods = (params.get('methods') || '').split(',').filter(Boolean);
    history.replaceState(null, '', location.pathname);
    if (challenge) {
      startSecondFactor({ challenge, methods }, socialChallenge.dataset.next || '/profile');
    } else {
      location.replace('/sign-in');
    }
  }
`;

/** Styles of the social sign-in buttons, appended to `/assets/app.css`. */
export const SOCIAL_STYLES = `
ul.social-buttons { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
form.link-provider { margin: 0.5rem 0; }
`;
