import { useEffect, useState } from 'react';
import { client, describeError } from '../auth.js';
import { navigate } from '../router.js';

/**
 * The page of the mailed link. Opening it changes nothing (mail scanners open links): the
 * user confirms with a click, which posts the single-use token.
 */
export function VerifyEmail() {
  const [token] = useState(() => new URLSearchParams(location.search).get('token'));
  // Out of the address bar at once: not left in the history, nor sent on in a Referer.
  useEffect(() => {
    if (token !== null) navigate(location.pathname, { replace: true });
  }, [token]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm() {
    if (token === null) return;
    setBusy(true);
    try {
      await client.verifyEmail({ token });
      navigate('/sign-in?notice=verified', { replace: true });
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>Confirm your address</h1>
      {token === null ? (
        <p role="alert">This link has no token. Open the link from the mail again.</p>
      ) : (
        <button type="button" onClick={confirm} disabled={busy}>
          Confirm my address
        </button>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
