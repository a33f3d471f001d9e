import type { Pool } from 'pg';
import { createPool } from '../client/create-pool.js';
import { fromPool } from '../client/pool.js';
import { migrate } from '../migrate.js';
import { DEFAULT_SCHEMA, quoteSchemaName } from '../schema-name.js';
import { postgresStorage } from '../storage/index.js';
import { GROUPS, parse, USAGE, USERS_ONLY } from './args.js';
import { runImportDjango } from './django.js';
import { CliError } from './errors.js';
import { passwordOf, readProcessStdin } from './password.js';
import { runUsersCommand } from './users.js';
import { parseUsersCommand, type UsersCommand } from './users-command.js';

export { USAGE };

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Environment variables; `DATABASE_URL` is the default of `--url`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * All of stdin, for `users create --password-stdin`. Default: `process.stdin` to its end (a
   * terminal is refused: what is typed there is echoed).
   */
  readonly stdin?: () => Promise<string>;
}

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
  const { command, positionals, values } = parsed;
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
  let users: UsersCommand | undefined;
  let password: string | undefined;
  try {
    const given = Object.keys(values);
    if (GROUPS.includes(command)) users = parseUsersCommand(positionals, given, values);
    const foreign = users === undefined ? given.find((o) => USERS_ONLY.includes(o)) : undefined;
    const problem =
      usageProblem(command, url, batchSize, timeout, values.schema) ??
      (command === 'import-django' && (values.from ?? '') === ''
        ? 'Missing --from (the Django database).'
        : undefined) ??
      (users === undefined && positionals.length > 1
        ? `Unexpected argument: ${positionals[1]}`
        : undefined) ??
      (foreign === undefined ? undefined : `${command} does not take --${foreign}.`);
    if (problem !== undefined) throw new CliError(2, problem);
    // Before connecting: a missing or malformed password costs no connection.
    if (users?.kind === 'create' && users.passwordStdin) {
      password = passwordOf(await (io.stdin ?? readProcessStdin)());
    }
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : 1;
    const message = error instanceof Error ? error.message : String(error);
    io.err(code === 2 ? `${message}\n\n${USAGE}` : message);
    return code;
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
    if (users !== undefined) {
      await runUsersCommand(users, { client, schema, json: values.json === true, password }, io);
    } else if (command === 'migrate') {
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
    if (error instanceof CliError) {
      io.err(error.message);
      return error.exitCode;
    }
    // The driver's message (never a password: node-postgres does not echo the URL).
    const name = users === undefined ? command : positionals.slice(0, 2).join(' ');
    io.err(`portcullis-postgres ${name} failed: ${describe(error)}`);
    return 1;
  } finally {
    await pool?.end().catch(() => undefined);
    await djangoPool?.end().catch(() => undefined);
  }
}

/** What is wrong with the command line, if anything. */
function usageProblem(
  command: string,
  url: string,
  batchSize: number,
  timeout: number,
  schema = DEFAULT_SCHEMA,
): string | undefined {
  if (!['migrate', 'purge', 'import-django', ...GROUPS].includes(command))
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
