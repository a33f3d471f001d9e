import { randomUUID } from 'node:crypto';
import type { RequestAuth } from '@portcullis/core/http';
import express, { type Request, type Router } from 'express';
import { sendError } from './errors.js';

/** One note. */
export interface Note {
  readonly id: string;
  readonly text: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Where notes live, per user. */
export interface NoteStore {
  /** The user's notes, newest first. */
  list(userId: string): Note[];
  add(userId: string, text: string): Note;
  /** Deletes one of the user's notes; `false` when the user has no note with that id. */
  remove(userId: string, noteId: string): boolean;
  /** Deletes every note of the user (their account was deleted). */
  removeUser(userId: string): void;
}

/** Longest note, in characters. */
export const MAX_NOTE_LENGTH = 2000;

/**
 * Notes in memory: everything is lost when the process stops. A PostgreSQL table takes its
 * place once the storage adapters exist.
 */
export function memoryNoteStore(): NoteStore {
  const byUser = new Map<string, Map<string, Note>>();
  return {
    list: (userId) => [...(byUser.get(userId)?.values() ?? [])].reverse(),
    add(userId, text) {
      const note = { id: randomUUID(), text, createdAt: new Date().toISOString() };
      const notes = byUser.get(userId) ?? new Map<string, Note>();
      byUser.set(userId, notes.set(note.id, note));
      return note;
    },
    // Looked up among the caller's notes only: someone else's id is as unknown as a made-up one.
    remove: (userId, noteId) => byUser.get(userId)?.delete(noteId) ?? false,
    removeUser: (userId) => void byUser.delete(userId),
  };
}

/** The signed-in caller; `requireAuth` runs before every route of {@link notesRouter}. */
function callerOf(req: Request): RequestAuth {
  if (req.auth === undefined) throw new Error('notesRouter must be mounted behind requireAuth');
  return req.auth;
}

/**
 * `GET /` (the caller's notes), `POST /` (`{"text"}`, 201 with the note) and `DELETE /:id`
 * (204; 404 when the caller has no such note). Mount it behind `requireAuth(auth)`.
 */
export function notesRouter(store: NoteStore): Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));

  router.get('/', (req, res) => {
    res.json({ notes: store.list(callerOf(req).user.id) });
  });

  router.post('/', (req, res) => {
    if (!req.is('application/json')) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    const text: unknown = (req.body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_NOTE_LENGTH) {
      return sendError(res, 'VALIDATION_FAILED', [
        { path: 'text', message: `a string of 1 to ${MAX_NOTE_LENGTH} characters` },
      ]);
    }
    res.status(201).json({ note: store.add(callerOf(req).user.id, text) });
  });

  router.delete('/:id', (req, res) => {
    if (!store.remove(callerOf(req).user.id, req.params.id)) return sendError(res, 'NOT_FOUND');
    res.status(204).end();
  });

  return router;
}
