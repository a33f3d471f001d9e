import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { type PostgresDatabase, toSqlClient } from './client/detect.js';
import { DEFAULT_SCHEMA, quoteSchemaName } from './schema-name.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * The schema to create (if missing) and migrate. Default `'portcullis'`. Pass the same name
   * to `postgresStorage`. A plain identifier only (letters, digits, underscores), case kept.
   */
  readonly schema?: string;
}

/** One migration file of the package. */
export interface Migration {
  /** Its number, from the file name (`0001_initial.sql` is 1). */
  readonly version: number;
  /** The file name without `.sql`. */
  readonly name: string;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** The schema it migrated. */
  readonly schema: string;
  /** The migrations it applied now, in order; empty when the schema was up to date. */
  readonly applied: readonly Migration[];
}

/** Where the package keeps its SQL files: `migrations/` beside `src/` and `dist/`. */
const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The first key of the migration lock; the second is the schema's hash. */
const LOCK_NAMESPACE = "hashtext('portcullis.migrate')";

/**
 * Brings the schema of `db` (a node-postgres `Pool`, a PGlite instance or a `SqlClient`) up to
 * date with the SQL migrations shipped in this package (`migrations/NNNN_name.sql`), each
 * applied once and recorded in the schema's `portcullis_migrations` table. Idempotent: a
 * second run applies nothing.
 *
 * Everything happens in one transaction that first takes a transaction-scoped advisory lock
 * on the schema (`pg_advisory_xact_lock`), so two processes starting at once (two replicas of
 * an app, or a deploy job and an app) apply each migration exactly once: the second waits,
 * then finds nothing to do. A failing migration rolls everything back.
 *
 * @throws {AuthError} `CONFIG_INVALID` for a schema name that is not a plain identifier.
 * Rejects with the driver's error when the database refuses a statement or is unreachable.
 *
 * @example
 * ```ts
 * const { applied } = await migrate(pool, { schema: 'auth' }); // a pg Pool, or PGlite
 * ```
 */
export async function migrate(
  db: PostgresDatabase,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchemaName(schema);
  const files = await listMigrationFiles();
  const applied = await toSqlClient(db).transaction(async (tx) => {
    // A migration may take longer than the pool's statement_timeout, and so may waiting
    // for another process's migration.
    await tx.query('SET LOCAL statement_timeout = 0');
    // The lock comes before CREATE SCHEMA: two concurrent "IF NOT EXISTS" can still collide.
    await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext($1))`, [schema]);
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${quoted};
       SET LOCAL search_path TO ${quoted};
       CREATE TABLE IF NOT EXISTS ${quoted}.portcullis_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         checksum   text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       );`,
    );
    const { rows } = await tx.query<{ version: number }>(
      `SELECT version FROM ${quoted}.portcullis_migrations`,
    );
    const done = new Set(rows.map((r) => Number(r.version)));
    const now: Migration[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      const sql = await readFile(new URL(file.file, MIGRATIONS_DIR), 'utf8');
      await tx.exec(sql);
      await tx.query(
        `INSERT INTO ${quoted}.portcullis_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
        [file.version, file.name, createHash('sha256').update(sql).digest('hex')],
      );
      now.push({ version: file.version, name: file.name });
    }
    return now;
  });
  return { schema, applied };
}

/** The package's migrations, in order. */
export async function listMigrations(): Promise<Migration[]> {
  return (await listMigrationFiles()).map(({ version, name }) => ({ version, name }));
}

async function listMigrationFiles(): Promise<(Migration & { file: string })[]> {
  const entries = await readdir(MIGRATIONS_DIR);
  return entries
    .map((file) => ({ file, match: /^(\d+)_([\w-]+)\.sql$/.exec(file) }))
    .flatMap(({ file, match }) =>
      match?.[1] === undefined
        ? []
        : [{ file, version: Number(match[1]), name: file.slice(0, -4) }],
    )
    .sort((a, b) => a.version - b.version);
}
