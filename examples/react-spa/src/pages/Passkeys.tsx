import { AuthClientError, type Passkey } from '@portcullis/client';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { client, describeError, describePasskeyError } from '../auth.js';

/**
 * The account's passkeys, "Add a passkey" (`client.passkeys.register`: options from the API,
 * the browser creates the passkey, the API verifies and keeps it) and "Delete"
 * (`client.passkeys.remove`). Adding or removing a way to sign in needs a session younger than
 * 10 minutes; on an older one the API answers `REAUTH_REQUIRED`, and the page asks for the
 * password to send along.
 */
export function Passkeys() {
  const [passkeys, setPasskeys] = useState<readonly Passkey[]>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [askPassword, setAskPassword] = useState(false);
  // The passkey whose deletion waits for the password, when the API asked for it.
  const [removing, setRemoving] = useState<Passkey>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setPasskeys(await client.passkeys.list());
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = new FormData(form);
    const name = String(fields.get('name') ?? '').trim();
    const password = String(fields.get('password') ?? '');
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const added = await client.passkeys.register({
        ...(name === '' ? {} : { name }),
        ...(password === '' ? {} : { password }),
      });
      form.reset();
      setAskPassword(false);
      setNotice(`Passkey “${added.name}” added: you can sign in with it now.`);
      await load();
    } catch (e) {
      if ((e as { code?: string }).code === 'REAUTH_REQUIRED') setAskPassword(true);
      setError(describePasskeyError(e));
    } finally {
      setBusy(false);
    }
  }

  async function remove(passkey: Passkey, password?: string) {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await client.passkeys.remove(passkey.id, password === undefined ? undefined : { password });
      setRemoving(undefined);
      setNotice(`Passkey “${passkey.name}” deleted: it no longer signs you in.`);
      await load();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'REAUTH_REQUIRED' && password === undefined) {
        setRemoving(passkey);
        setError(describeError(e));
      } else if (code === 'REAUTH_REQUIRED') {
        // The password was right, but with two-factor authentication on the API also wants a
        // second factor from the last 10 minutes, which this page does not ask for.
        setError('Sign out and in again (with your second factor), then delete it.');
      } else if (code === 'VALIDATION_FAILED' && e instanceof AuthClientError) {
        // The last way to sign in: the API says so in its details.
        const message = (e.details ?? []).map((d) => d.message).join(' ');
        setError(message === '' ? describeError(e) : message);
      } else {
        setError(describeError(e));
        if (code === 'NOT_FOUND') await load(); // deleted meanwhile, in another tab
      }
    } finally {
      setBusy(false);
    }
  }

  function confirmRemoval(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    if (removing !== undefined) void remove(removing, password);
  }

  return (
    <section>
      <h2>Passkeys</h2>
      <p>Sign in with this device's screen lock or a security key instead of a password.</p>
      {passkeys === undefined ? (
        <p>Loading…</p>
      ) : passkeys.length === 0 ? (
        <p data-testid="no-passkeys">No passkey yet.</p>
      ) : (
        <table data-testid="passkeys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Added</th>
              <th>Last used</th>
              <th>Synced</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {passkeys.map((p) => (
              <tr key={p.id} data-passkey={p.id}>
                <td>{p.name}</td>
                <td>{new Date(p.createdAt).toLocaleString()}</td>
                <td>{p.lastUsedAt === null ? 'never' : new Date(p.lastUsedAt).toLocaleString()}</td>
                <td>{p.backedUp ? 'yes' : 'no'}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Delete “${p.name}”`}
                    onClick={() => void remove(p)}
                    disabled={busy}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removing && (
        <form onSubmit={confirmRemoval} aria-label={`Delete “${removing.name}”`}>
          <label>
            Password{' '}
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <button type="submit" disabled={busy}>
            Confirm and delete
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              setRemoving(undefined);
              setError(undefined);
            }}
          >
            Cancel
          </button>
        </form>
      )}
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert">{error}</p>}
      {'PublicKeyCredential' in window ? (
        <form onSubmit={add}>
          <label>
            Passkey name (optional) <input name="name" maxLength={64} />
          </label>
          {askPassword && (
            <label>
              Password{' '}
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          )}
          <button type="submit" disabled={busy}>
            Add a passkey
          </button>
        </form>
      ) : (
        <p>This browser cannot create passkeys.</p>
      )}
    </section>
  );
}
