/**
 * `@portcullis/postgres`: every store of Portcullis's `Storage` over PostgreSQL, through a
 * node-postgres `Pool` or PGlite; versioned migrations; transactions; a purge for cron jobs.
 */

export type { CreatePoolOptions } from './client/create-pool.js';
export { createPool } from './client/create-pool.js';
export type { PostgresDatabase } from './client/detect.js';
export { toSqlClient } from './client/detect.js';
export type {
  PGliteLike,
  PGliteResultLike,
  PGliteTransactionLike,
} from './client/pglite.js';
export { fromPGlite } from './client/pglite.js';
export type {
  PgPoolClientLike,
  PgPoolLike,
  PgQueryConfigLike,
  PgResultLike,
} from './client/pool.js';
export { fromPool } from './client/pool.js';
export type {
  QueryOptions,
  SqlClient,
  SqlQueryable,
  SqlResult,
  SqlTransaction,
} from './client/types.js';
export type {
  DjangoColumnMap,
  DjangoColumnTarget,
  DjangoImportConflict,
  DjangoImportProgress,
  DjangoImportReport,
  DjangoSkippedUser,
  ImportDjangoOptions,
} from './django/index.js';
export { DJANGO_DEFAULT_COLUMN_MAP, importDjango } from './django/index.js';
export type { MigrateOptions, MigrateResult, Migration } from './migrate.js';
export { listMigrations, migrate } from './migrate.js';
export { DEFAULT_SCHEMA, quoteSchemaName } from './schema-name.js';
export type { FieldColumn, FieldColumns, FieldColumnType } from './storage/field-columns.js';
export type { PostgresStorage, PostgresStorageOptions } from './storage/index.js';
export { postgresStorage } from './storage/index.js';
export type { PurgeOptions, PurgeResult } from './storage/purge.js';
