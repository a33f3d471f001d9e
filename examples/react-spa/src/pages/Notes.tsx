import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { describeError } from '../auth.js';
import { type Note, notesApi } from '../notes.js';

/** The user's notes, through the protected notes API (`client.fetch` adds the access token). */
export function Notes() {
  const [notes, setNotes] = useState<Note[]>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      setNotes(await notesApi.list());
      setError(undefined);
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
    const text = String(new FormData(form).get('text'));
    try {
      await notesApi.add(text);
      form.reset();
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function remove(id: string) {
    try {
      await notesApi.remove(id);
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section>
      <h1>Your notes</h1>
      <form onSubmit={add} className="inline">
        <label>
          New note <input name="text" maxLength={2000} required />
        </label>
        <button type="submit">Add</button>
      </form>
      {error && <p role="alert">{error}</p>}
      {notes === undefined ? (
        <p>Loading…</p>
      ) : notes.length === 0 ? (
        <p data-testid="no-notes">No notes yet.</p>
      ) : (
        <ul data-testid="notes">
          {notes.map((note) => (
            <li key={note.id}>
              <span>{note.text}</span>{' '}
              <button
                type="button"
                onClick={() => remove(note.id)}
                aria-label={`Delete “${note.text}”`}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <p>
        <button type="button" onClick={load}>
          Reload notes
        </button>
      </p>
      <Burst />
    </section>
  );
}

/**
 * A demonstration of single-flight refresh: five requests at once. With an expired access
 * token all five get a 401, yet only one `POST /token/refresh` goes out, and all five are
 * retried with the new token. Start the API with a short `ACCESS_TOKEN_TTL_SECONDS` to see it
 * in the network panel.
 */
function Burst() {
  const [result, setResult] = useState<string>();
  async function fire() {
    setResult('Sending…');
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => notesApi.list()));
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    setResult(`${ok} of 5 requests succeeded.`);
  }
  return (
    <p>
      <button type="button" onClick={fire}>
        Send 5 requests at once
      </button>{' '}
      {result && <output data-testid="burst">{result}</output>}
    </p>
  );
}
