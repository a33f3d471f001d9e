import type { SqlClient, SqlQueryable } from './types.js';

/** The result of a PGlite query, as {@link fromPGlite} reads it (PGlite 0.2 and later). */
export interface PGliteResultLike {
  readonly rows: unknown[];
  /** Rows touched by the statement (PGlite 0.3 and later). */
  readonly rowCount?: number;
  /** Rows inserted, updated or deleted (every PGlite version). */
  readonly affectedRows?: number;
}

/** One PGlite transaction, as {@link fromPGlite} uses it. */
export interface PGliteTransactionLike {
  /** Runs one parameterized statement. */
  query(text: string, params?: unknown[]): Promise<PGliteResultLike>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<unknown>;
}

/** The part of a `PGlite` instance that {@link fromPGlite} needs. */
export interface PGliteLike extends PGliteTransactionLike {
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
}

/**
 * A {@link SqlClient} over PGlite (`@electric-sql/pglite`): PostgreSQL compiled to
 * WebAssembly, in this process, in memory or persisted to a directory. PGlite has one
 * connection: statements run one at a time, and a statement issued outside a transaction
 * waits until the open transaction ends (so never call the root storage from inside
 * `storage.transaction`, use the `tx` it gives you).
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const db = await PGlite.create('./.data/auth'); // a directory; omit it for memory
 * await migrate(fromPGlite(db));
 * const storage = postgresStorage(fromPGlite(db));
 * ```
 */
export function fromPGlite(db: PGliteLike): SqlClient {
  const wrap = (target: PGliteTransactionLike): SqlQueryable => ({
    // A statement's name (`options.name`) is ignored: PGlite runs one statement at a time in
    // this process, with no protocol-level prepared statements to reuse.
    async query<R>(text: string, params: readonly unknown[] = []) {
      const result = await target.query(text, [...params]);
      const rowCount = result.rowCount ?? result.affectedRows ?? result.rows.length;
      // PGlite returns rows as `any`; each store maps the columns it selected.
      return { rows: result.rows as R[], rowCount };
    },
    async exec(script) {
      await target.exec(script);
    },
  });
  return { ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) };
}
