/**
 * `pnpm --filter @portcullis-examples/hono-app admin <command>`: the `users` and `sessions`
 * commands of the `portcullis-postgres` CLI (docs/postgres.md, "Users from the command line")
 * on this example's own database, for the first admin above all:
 *
 * ```sh
 * pnpm --filter @portcullis-examples/hono-app admin grant-role ada@example.com admin
 * ```
 *
 * `users` may be left out (`admin list`, `admin show ada@example.com`). With `DATABASE_URL` (or
 * `--url`) this is the CLI itself, on that server. Without, it runs the same command code on
 * the embedded PGlite of `examples/hono-app/.data/pglite`, which one process at a time may
 * open: like `pnpm start`, it first takes the app's port (`PORT`, default 3000, on `HOST`), so
 * it refuses while the app runs (stop it first) and the app cannot start while it works.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SCHEMA, fromPGlite, migrate } from '@portcullis/postgres';
// The CLI's own modules, by relative path: @portcullis/postgres exports the `portcullis-postgres`
// binary but not yet a function that runs a command on a connection it did not open itself.
import { GROUPS, parse, USAGE } from '../../../packages/postgres/src/cli/args.js';
import { CliError } from '../../../packages/postgres/src/cli/errors.js';
import { passwordOf, readProcessStdin } from '../../../packages/postgres/src/cli/password.js';
import { type CliIo, runCli } from '../../../packages/postgres/src/cli/run.js';
import { runUsersCommand } from '../../../packages/postgres/src/cli/users.js';
import { parseUsersCommand } from '../../../packages/postgres/src/cli/users-command.js';

/** Where the example's database is, as `server.ts` finds it. */
export interface AdminScriptOptions {
  /** PGlite's directory when there is no `DATABASE_URL`. */
  readonly pgliteDir: string;
  /** The app's address: held while PGlite is open, so app and script never share the files. */
  readonly host: string;
  /** The app's port; `0` holds none (tests on a temporary directory). */
  readonly port: number;
}

/**
 * `argv` as `portcullis-postgres` takes it: `users` put in front of a users command given
 * without it (`grant-role ada@example.com admin`).
 */
export function commandLine(argv: readonly string[]): string[] {
  const [first] = argv;
  if (first === undefined || first.startsWith('-') || GROUPS.includes(first)) return [...argv];
  return ['users', ...argv];
}

/**
 * Runs one `users …` or `sessions …` command on the example's database and resolves to the
 * exit code of `portcullis-postgres`: 0 done, 1 refused (no such user, the app is running) or
 * the database failed, 2 bad usage. Never throws.
 */
export async function runAdminScript(
  argv: readonly string[],
  io: CliIo,
  options: AdminScriptOptions,
): Promise<number> {
  const args = commandLine(argv);
  // A server: the CLI as it is, which connects with DATABASE_URL or --url.
  if ((io.env.DATABASE_URL ?? '') !== '' || args.some((a) => a.startsWith('--url'))) {
    return runCli(args, io);
  }
  let port: Server | undefined;
  let db: { close(): Promise<void> } | undefined;
  try {
    const { positionals, values } = parse(args);
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    if (!GROUPS.includes(positionals[0] ?? '')) {
      // migrate: the app migrates at every start; purge and import-django: with DATABASE_URL.
      throw new CliError(2, 'Here: users and sessions commands only (see --help).');
    }
    const command = parseUsersCommand(positionals, Object.keys(values), values);
    const password =
      command.kind === 'create' && command.passwordStdin
        ? passwordOf(await (io.stdin ?? readProcessStdin)())
        : undefined;
    port = await holdPort(options);
    mkdirSync(options.pgliteDir, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(options.pgliteDir);
    db = pglite;
    const schema = values.schema ?? DEFAULT_SCHEMA;
    // A directory the app never opened yet gets its tables now.
    await migrate(pglite, { schema });
    await runUsersCommand(
      command,
      { client: fromPGlite(pglite), schema, json: values.json === true, password },
      io,
    );
    return 0;
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : 1;
    const message = error instanceof Error ? error.message : String(error);
    io.err(code === 2 ? `${message}\n\n${USAGE}` : message);
    return code;
  } finally {
    await db?.close().catch(() => undefined);
    await new Promise((resolve) => (port === undefined ? resolve(undefined) : port.close(resolve)));
  }
}

/**
 * Listens on the app's address, as `server.ts` does before it opens PGlite.
 * @throws CliError (exit 1) when it is taken: the app is running
 */
async function holdPort(options: AdminScriptOptions): Promise<Server | undefined> {
  if (options.port === 0) return undefined;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      1,
      code === 'EADDRINUSE'
        ? `Port ${options.port} is in use: is the app running? Stop it first (its PGlite files ` +
            'take one process at a time), run this again, then start the app.'
        : `Cannot take port ${options.port} on ${options.host}: ${String(error)}`,
    );
  }
  return server;
}

// `pnpm … admin <command>` (tsx src/admin-cli.ts), not an import by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  runAdminScript(
    process.argv.slice(2),
    {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      env,
    },
    {
      // The same directory and address as `server.ts`.
      pgliteDir: fileURLToPath(new URL('../.data/pglite', import.meta.url)),
      host: env.HOST ?? '127.0.0.1',
      port: Number(env.PORT ?? 3000),
    },
  ).then((code) => {
    process.exitCode = code;
  });
}
