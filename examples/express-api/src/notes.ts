import { randomUUID } from 'node:crypto';
import type { RequestAuth } from '@portcullis/core/http';
import {
  DEFAULT_SCHEMA,
  type PostgresDatabase,
  quoteSchemaName,
  toSqlClient,
} from '@portcullis/postgres';
import express, { type Request, type Router } from 'express';
import { NotesUnavailableError, sendError } from './errors.js';

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
  list(userId: string): Promise<Note[]>;
  add(userId: string, text: string): Promise<Note>;
  /** Deletes one of the user's notes; `false` when the user has no note with that id. */
  remove(userId: string, noteId: string): Promise<boolean>;
  /**
   * Deletes every note of a deleted account, for a store that cannot do it by itself
   * (`createApp` calls it on the `user.deleted` event). The PostgreSQL store has none: its
   * foreign key to Portcullis's `users` table deletes the notes with the user row.
   */
  readonly removeUser?: (userId: string) => Promise<void>;
}

/** Longest note, in characters. */
export const MAX_NOTE_LENGTH = 2000;

/** Notes in memory: everything is lost when the process stops. */
export function memoryNoteStore(): NoteStore {
  const byUser = new Map<string, Map<string, Note>>();
  return {
    list: async (userId) => [...(byUser.get(userId)?.values() ?? [])].reverse(),
    async add(userId, text) {
      const note = { id: randomUUID(), text, createdAt: new Date().toISOString() };
      const notes = byUser.get(userId) ?? new Map<string, Note>();
      byUser.set(userId, notes.set(note.id, note));
      return note;
    },
    // Looked up among the caller's notes only: someone else's id is as unknown as a made-up one.
    remove: async (userId, noteId) => byUser.get(userId)?.delete(noteId) ?? false,
    removeUser: async (userId) => void byUser.delete(userId),
  };
}

/** Options of {@link postgresNoteStore}. */
export interface PostgresNoteStoreOptions {
  /** The schema of the `notes` table, created if missing. Default `public`. */
  schema?: string | undefined;
  /** The schema where Portcullis's migrations put `users`. Default `portcullis`. */
  authSchema?: string | undefined;
}

/**
 * Notes in PostgreSQL, in a `notes` table that this creates if missing (run Portcullis's
 * `migrate` first: the table references its `users`). `ON DELETE CASCADE` on that reference
 * deletes a user's notes in the same transaction as the account, so no event listener is
 * needed and nothing is left behind if the process dies half-way.
 */
export async function postgresNoteStore(
  database: PostgresDatabase,
  options: PostgresNoteStoreOptions = {},
): Promise<NoteStore> {
  const db = toSqlClient(database);
  const schema = quoteSchemaName(options.schema ?? 'public');
  const notes = `${schema}.notes`;
  const users = `${quoteSchemaName(options.authSchema ?? DEFAULT_SCHEMA)}.users`;
  await db.transaction(async (tx) => {
    // Two processes starting at once: the second waits here, then finds the table.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('portcullis-example.notes'))");
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${schema};
       CREATE TABLE IF NOT EXISTS ${notes} (
         id         text PRIMARY KEY,
         seq        bigint GENERATED ALWAYS AS IDENTITY,
         user_id    text NOT NULL REFERENCES ${users} (id) ON DELETE CASCADE,
         text       text NOT NULL,
         created_at timestamptz NOT NULL
       );
       CREATE INDEX IF NOT EXISTS notes_by_user ON ${notes} (user_id, seq DESC);`,
    );
  });
  return {
    async list(userId) {
      const { rows } = await db.query<{ id: string; text: string; created_ms: number | string }>(
        `SELECT id, text, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
           FROM ${notes} WHERE user_id = $1 ORDER BY seq DESC`,
        [userId],
      );
      return rows.map((row) => ({
        id: row.id,
        text: row.text,
        createdAt: new Date(Math.round(Number(row.created_ms))).toISOString(),
      }));
    },
    async add(userId, text) {
      const note = { id: randomUUID(), text, createdAt: new Date().toISOString() };
      await db.query(
        `INSERT INTO ${notes} (id, user_id, text, created_at) VALUES ($1, $2, $3, $4::timestamptz)`,
        [note.id, userId, text, note.createdAt],
      );
      return note;
    },
    async remove(userId, noteId) {
      // The caller's notes only: someone else's id is as unknown as a made-up one.
      const { rowCount } = await db.query(`DELETE FROM ${notes} WHERE id = $1 AND user_id = $2`, [
        noteId,
        userId,
      ]);
      return rowCount > 0;
    },
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

  router.get('/', async (req, res) => {
    const userId = callerOf(req).claims.sub;
    res.json({ notes: await guard(() => store.list(userId)) });
  });

  router.post('/', async (req, res) => {
    if (!req.is('application/json')) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    const text: unknown = (req.body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_NOTE_LENGTH) {
      return sendError(res, 'VALIDATION_FAILED', [
        { path: 'text', message: `a string of 1 to ${MAX_NOTE_LENGTH} characters` },
      ]);
    }
    const userId = callerOf(req).claims.sub;
    res.status(201).json({ note: await guard(() => store.add(userId, text)) });
  });

  router.delete('/:id', async (req, res) => {
    const userId = callerOf(req).claims.sub;
    const removed = await guard(() => store.remove(userId, req.params.id));
    if (!removed) return sendError(res, 'NOT_FOUND');
    res.status(204).end();
  });

  return router;
}

/**
 * Runs a call of the note store; its failure (a database outage) becomes a
 * {@link NotesUnavailableError}, which the error handler answers with 503
 * `STORAGE_UNAVAILABLE`, as the auth routes do. Express 5 passes a rejected handler's error on.
 */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new NotesUnavailableError(error);
  }
}
