import { type FormEvent, useState } from 'react';
import { client, describeError } from '../auth.js';
import { Link, navigate } from '../router.js';

/** Sign up: the API answers 202 whether or not the address was taken, so we always say "check your mail". */
export function SignUp() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await client.register({
        email: String(form.get('email')),
        password: String(form.get('password')),
      });
      navigate('/check-mail');
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>Create an account</h1>
      <form onSubmit={submit}>
        <label>
          Email <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password{' '}
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
          />
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Already have one? <Link href="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}

/** After sign-up. In development the mails land in the API's dev mailbox. */
export function CheckMail() {
  return (
    <section>
      <h1>Check your mail</h1>
      <p>We sent a link to confirm your address. Follow it, then sign in.</p>
      <p className="hint">
        Developing? The API keeps its mails in the <Link href="/dev/mailbox">dev mailbox</Link>.
      </p>
    </section>
  );
}
