import { client } from './auth.js';

/** A failure of the notes API, with the code of its error body (`VALIDATION_FAILED`, …). */
export class NotesApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(`notes API: ${status} ${code}`);
    this.name = 'NotesApiError';
  }
}

/** One note of the notes API. */
export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

/**
 * Calls the notes API with `client.fetch`, which adds the access token, refreshes it shortly
 * before it expires and once on a 401, and answers errors in the auth API's body shape.
 */
async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await client.fetch(path, init);
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
    throw new NotesApiError(code ?? 'INTERNAL', res.status);
  }
  return body as T;
}

export const notesApi = {
  list: () => call<{ notes: Note[] }>('/api/notes').then((body) => body.notes),
  add: (text: string) =>
    call<{ note: Note }>('/api/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    }).then((body) => body.note),
  remove: (id: string) => call<void>(`/api/notes/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};
