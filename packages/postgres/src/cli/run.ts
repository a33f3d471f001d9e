import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { createPool } from '../client/create-pool.js';
import { fromPool } from '../client/pool.js';
import { migrate } from '../migrate.js';
import { DEFAULT_SCHEMA, quoteSchemaName } from '../schema-name.js';
import { postgresStorage } from '../storage/index.js';
import { runImportDjango } from './django.js';

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Environment variables; `DATABASE_URL` is the default of `--url`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const USAGE = `Usage:
  portcullis-postgres migrate --url <postgres-url> [--schema <name>]
  portcullis-postgres purge   --url <postgres-url> [--schema <name>] [--batch-size <n>]
  portcullis-postgres import-django --from <django-postgres-url> [--url <postgres-url>]
        [--schema <name>] [--from-schema public] [--user-table auth_user]
        [--column-map <file.json>] [--secret <secret>] [--dry-run] [--json] [--batch-size <n>]

  --url          connection string; default: $DATABASE_URL
  --schema       schema of the Portcullis tables; default: ${DEFAULT_SCHEMA}
  --batch-size   rows per DELETE when purging (default 1000); users per transaction when
                 importing (default 500)
  --timeout-ms   connection timeout in milliseconds; default: 10000
  --from         import-django: the Django database (read only)
  --from-schema  import-django: schema of the Django tables; default: public
  --user-table   import-django: auth_user, or a custom user model's table
  --column-map   import-django: JSON file, column -> target, e.g. {"bio": "metadata.bio"}
  --secret       import-django: the app's secret, to encrypt TOTP keys; default: $AUTH_SECRET
  --dry-run      import-django: print the report, write nothing
  --json         import-django: print the report as JSON`;

/**
 * Runs `portcullis-postgres` with `argv` (without `node` and the script) and resolves to the
 * exit code: 0 on success, 1 when the database refused or could not be reached, 2 for bad
 * usage. Never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { command, values } = parsed;
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.err(USAGE);
    return 2;
  }
  const url = values.url ?? io.env.DATABASE_URL ?? '';
  const batchSize =
    values['batch-size'] === undefined
      ? command === 'import-django'
        ? 500
        : 1000
      : Number(values['batch-size']);
  const timeout = values['timeout-ms'] === undefined ? 10_000 : Number(values['timeout-ms']);
  const problem =
    usageProblem(command, url, batchSize, timeout, values.schema) ??
    (command === 'import-django' && (values.from ?? '') === ''
      ? 'Missing --from (the Django database).'
      : undefined);
  if (problem !== undefined) {
    io.err(`${problem}\n\n${USAGE}`);
    return 2;
  }
  const schema = values.schema ?? DEFAULT_SCHEMA;
  let pool: Pool | undefined;
  let djangoPool: Pool | undefined;
  try {
    // Migrations and large purges may run long: no statement limit, only a bounded connect.
    pool = await createPool(url, {
      connectionTimeoutMillis: timeout,
      queryTimeoutMillis: 0,
      statementTimeoutMillis: 0,
      max: 1,
    });
    const client = fromPool(pool);
    if (command === 'migrate') {
      const { applied } = await migrate(client, { schema });
      io.out(
        applied.length === 0
          ? `Schema ${schema} is up to date.`
          : `Applied to schema ${schema}: ${applied.map((m) => m.name).join(', ')}.`,
      );
    } else if (command === 'import-django') {
      djangoPool = await createPool(values.from ?? '', {
        connectionTimeoutMillis: timeout,
        queryTimeoutMillis: 0,
        statementTimeoutMillis: 0,
        max: 1,
      });
      const secret = values.secret ?? io.env.AUTH_SECRET;
      await runImportDjango(
        {
          from: fromPool(djangoPool),
          to: client,
          schema,
          fromSchema: values['from-schema'],
          userTable: values['user-table'],
          columnMapFile: values['column-map'],
          secret: secret === '' ? undefined : secret,
          dryRun: values['dry-run'] === true,
          batchSize,
          json: values.json === true,
        },
        io,
      );
    } else {
      const counts = await postgresStorage(client, { schema }).purgeExpired({ batchSize });
      io.out(
        `Purged from schema ${schema}: ${Object.entries(counts)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', ')}.`,
      );
    }
    return 0;
  } catch (error) {
    // The driver's message (never a password: node-postgres does not echo the URL).
    io.err(`portcullis-postgres ${command} failed: ${describe(error)}`);
    return 1;
  } finally {
    await pool?.end().catch(() => undefined);
    await djangoPool?.end().catch(() => undefined);
  }
}

function parse(argv: readonly string[]) {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      schema: { type: 'string' },
      'batch-size': { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      from: { type: 'string' },
      'from-schema': { type: 'string' },
      'user-table': { type: 'string' },
      'column-map': { type: 'string' },
      secret: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 1) throw new Error(`Unexpected argument: ${positionals[1]}`);
  return { command: positionals[0], values };
}

/** What is wrong with the command line, if anything. */
function usageProblem(
  command: string,
  url: string,
  batchSize: number,
  timeout: number,
  schema = DEFAULT_SCHEMA,
): string | undefined {
  if (command !== 'migrate' && command !== 'purge' && command !== 'import-django')
    return `Unknown command: ${command}`;
  if (url === '') return 'Missing --url (or DATABASE_URL).';
  if (!isPositiveInteger(batchSize)) return '--batch-size must be a positive integer.';
  if (!isPositiveInteger(timeout)) return '--timeout-ms must be a positive integer.';
  try {
    quoteSchemaName(schema);
    return undefined;
  } catch (error) {
    return `--schema: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const isPositiveInteger = (n: number) => Number.isSafeInteger(n) && n >= 1;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
