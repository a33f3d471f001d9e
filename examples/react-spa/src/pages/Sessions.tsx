import type { SessionInfo } from '@portcullis/client';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { client, describeError } from '../auth.js';
import { Passkeys } from './Passkeys.js';

/**
 * The account page: where the account is signed in, and its passkeys ({@link Passkeys}).
 * Revoking is a sensitive operation: on a session older than 10 minutes the API answers
 * `REAUTH_REQUIRED`, and we ask for the password and retry with it.
 */
export function Sessions() {
  const [sessions, setSessions] = useState<readonly SessionInfo[]>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  // The operation waiting for the password, when the API asked for one.
  const [pending, setPending] = useState<(password: string) => Promise<void>>();

  const load = useCallback(async () => {
    try {
      setSessions(await client.sessions.list());
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  /** Runs `operation`; on REAUTH_REQUIRED, runs it again once the password is entered. */
  async function sensitive(
    operation: (proof?: { password: string }) => Promise<void>,
    done: string,
  ) {
    setError(undefined);
    setNotice(undefined);
    try {
      await operation();
      setNotice(done);
      await load();
    } catch (e) {
      if ((e as { code?: string }).code !== 'REAUTH_REQUIRED') return setError(describeError(e));
      setPending(() => async (password: string) => {
        await operation({ password });
        setPending(undefined);
        setNotice(done);
        await load();
      });
    }
  }

  function signOutOthers() {
    const others = (sessions ?? []).filter((s) => !s.current);
    return sensitive(async (proof) => {
      for (const s of others) await client.sessions.revoke(s.id, proof);
    }, 'Your other devices are signed out.');
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password'));
    try {
      await pending?.(password);
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section>
      <h1>Where you are signed in</h1>
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert">{error}</p>}
      {pending && (
        <form onSubmit={confirm} className="inline">
          <label>
            Password{' '}
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <button type="submit">Confirm</button>
        </form>
      )}
      {sessions === undefined ? (
        <p>Loading…</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Device</th>
              <th>Signed in</th>
              <th>Last seen</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} data-session={s.current ? 'current' : 'other'}>
                <td>{s.userAgent ?? 'unknown'}</td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
                <td>{new Date(s.lastSeenAt).toLocaleString()}</td>
                <td>
                  {s.current ? (
                    'this device'
                  ) : (
                    <button
                      type="button"
                      onClick={() =>
                        sensitive((proof) => client.sessions.revoke(s.id, proof), 'Signed out.')
                      }
                    >
                      Sign out
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <button type="button" onClick={signOutOthers} disabled={!sessions?.some((s) => !s.current)}>
          Sign out of other devices
        </button>
      </p>
      <Passkeys />
    </section>
  );
}
