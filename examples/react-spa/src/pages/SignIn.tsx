import type { LoginResult, SecondFactorMethod, TwoFactorRequiredResult } from '@portcullis/client';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { client, describeError, describePasskeyError, signedIn } from '../auth.js';
import { Link, navigate } from '../router.js';
import { type PasskeyAutofill, passkeyAutofill } from '../webauthn.js';

const METHOD_LABELS: Record<SecondFactorMethod, string> = {
  totp: 'Authenticator app',
  email: 'A code by email',
  sms: 'A code by SMS',
  recovery: 'A recovery code',
  passkey: 'A passkey',
};

/**
 * Sign in with the password, then, when the API asks for it, a second factor; or with a
 * passkey (added on the sessions page), which proves both at once: by the button, or picked
 * from the suggestions of the username field (autofill).
 */
export function SignIn({ notice }: { notice: string | null }) {
  const [challenge, setChallenge] = useState<TwoFactorRequiredResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const autofill = useRef<PasskeyAutofill>(undefined);
  // Whether the form is on screen: a sign-in that fails after the person left starts nothing.
  const formShown = useRef(false);

  const done = useCallback((result: LoginResult) => {
    if (result.status === 'two_factor_required') {
      setChallenge(result);
      setBusy(false);
    } else {
      signedIn(result.user);
      navigate('/notes');
    }
  }, []);

  // Passkey autofill (conditional UI): the browser offers the passkeys in the suggestions of
  // the username field (autocomplete "username webauthn"), and the request waits, silently,
  // until the person picks one. A browser runs one WebAuthn request at a time, so the button,
  // a password and leaving the page end it first; a failed sign-in starts it again.
  const stopAutofill = useCallback(() => {
    autofill.current?.stop();
    autofill.current = undefined;
  }, []);
  const startAutofill = useCallback(() => {
    if (!formShown.current) return;
    autofill.current?.stop();
    const request = passkeyAutofill(() => client.passkeys.signIn({ autofill: true }));
    autofill.current = request;
    request.result.then(
      (result) => {
        if (result !== undefined && autofill.current === request) done(result);
      },
      // The API refused the passkey picked (deleted from the account, account disabled…).
      (e: unknown) => {
        if (autofill.current === request) setError(describePasskeyError(e));
      },
    );
  }, [done]);
  const showingForm = challenge === undefined;
  useEffect(() => {
    if (!showingForm) return;
    formShown.current = true;
    startAutofill();
    return () => {
      formShown.current = false;
      stopAutofill();
    };
  }, [showingForm, startAutofill, stopAutofill]);

  // POST /passkeys/login/options, the browser's passkey dialog (@simplewebauthn/browser, loaded
  // on first use), then POST /passkeys/login/verify: signed in as by `login`.
  async function signInWithPasskey() {
    stopAutofill();
    setBusy(true);
    setError(undefined);
    try {
      done(await client.passkeys.signIn());
    } catch (e) {
      setError(describePasskeyError(e));
      setBusy(false);
      startAutofill();
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    stopAutofill();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      done(
        await client.login({
          identifier: String(form.get('identifier')),
          password: String(form.get('password')),
        }),
      );
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
      startAutofill();
    }
  }

  if (challenge !== undefined) {
    return <SecondFactor challenge={challenge} onRestart={() => setChallenge(undefined)} />;
  }
  return (
    <section>
      <h1>Sign in</h1>
      {notice === 'verified' && <p role="status">Your address is confirmed. Sign in.</p>}
      <form onSubmit={submit}>
        <label>
          Email or username <input name="identifier" autoComplete="username webauthn" required />
        </label>
        <label>
          Password{' '}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {'PublicKeyCredential' in window && (
        <p>
          <button type="button" onClick={signInWithPasskey} disabled={busy}>
            Sign in with a passkey
          </button>
        </p>
      )}
      <p>
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </section>
  );
}

/** The second step: the challenge stays in this component's memory, never in the URL or storage. */
function SecondFactor(props: { challenge: TwoFactorRequiredResult; onRestart: () => void }) {
  const { challenge, methods } = props.challenge;
  const [method, setMethod] = useState<SecondFactorMethod>(methods[0] ?? 'totp');
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function sendCode() {
    setError(undefined);
    try {
      await client.sendEmailCode({ challenge });
      setMethod('email');
      setSent(true);
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const rememberDevice = form.get('remember') === 'on';
    try {
      // A passkey answers without a code: the browser's passkey dialog instead.
      const result =
        method === 'passkey'
          ? await client.passkeys.secondFactor({ challenge, rememberDevice })
          : await client.verifySecondFactor({
              challenge,
              method,
              code: String(form.get('code')).trim(),
              rememberDevice,
            });
      signedIn(result.user);
      navigate('/notes');
    } catch (e) {
      // A dead challenge (expired, 5 wrong codes) cannot be answered any more: start over.
      if ((e as { code?: string }).code === 'TOKEN_INVALID') props.onRestart();
      setError(method === 'passkey' ? describePasskeyError(e) : describeError(e));
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>Second step</h1>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Answer with</legend>
          {methods.map((m) => (
            <label key={m}>
              <input
                type="radio"
                name="method"
                checked={method === m}
                onChange={() => setMethod(m)}
              />{' '}
              {METHOD_LABELS[m]}
            </label>
          ))}
        </fieldset>
        {methods.includes('email') && (
          <p>
            <button type="button" onClick={sendCode}>
              Email me a code
            </button>{' '}
            {sent && <span role="status">We emailed you a code.</span>}
          </p>
        )}
        {method !== 'passkey' && (
          <label>
            Code <input name="code" autoComplete="one-time-code" required />
          </label>
        )}
        <label>
          <input name="remember" type="checkbox" /> Remember this device for 30 days
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          Verify
        </button>
      </form>
    </section>
  );
}
