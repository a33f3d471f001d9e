import type { Passkey } from '@portcullis/client';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { client, describeError, describePasskeyError } from '../auth.js';

/**
 * The account's passkeys and "Add a passkey" (`client.passkeys.register`: options from the API,
 * the browser creates the passkey, the API verifies and keeps it). Adding a way to sign in needs
 * a session younger than 10 minutes; on an older one the API answers `REAUTH_REQUIRED`, and the
 * form asks for the password to send along.
 */
export function Passkeys() {
  const [passkeys, setPasskeys] = useState<readonly Passkey[]>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [askPassword, setAskPassword] = useState(false);
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
            </tr>
          </thead>
          <tbody>
            {passkeys.map((p) => (
              <tr key={p.id} data-passkey={p.id}>
                <td>{p.name}</td>
                <td>{new Date(p.createdAt).toLocaleString()}</td>
                <td>{p.lastUsedAt === null ? 'never' : new Date(p.lastUsedAt).toLocaleString()}</td>
                <td>{p.backedUp ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
          {notice && <p role="status">{notice}</p>}
          {error && <p role="alert">{error}</p>}
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
