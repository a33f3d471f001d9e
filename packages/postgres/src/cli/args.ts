import { parseArgs } from 'node:util';
import { DEFAULT_SCHEMA } from '../schema-name.js';

/** The usage text of `portcullis-postgres` (`--help`, and after a usage error). */
export const USAGE = `Usage:
  portcullis-postgres migrate --url <postgres-url> [--schema <name>]
  portcullis-postgres purge   --url <postgres-url> [--schema <name>] [--batch-size <n>]
  portcullis-postgres import-django --from <django-postgres-url> [--url <postgres-url>]
        [--schema <name>] [--from-schema public] [--user-table auth_user]
        [--column-map <file.json>] [--secret <secret>] [--dry-run] [--json] [--batch-size <n>]
  portcullis-postgres users list [--query <prefix>] [--role <role>] [--disabled true|false]
        [--limit <n>]
  portcullis-postgres users show <email-or-id>
  portcullis-postgres users create <email> [--password-stdin] [--role <role>]... [--verified]
  portcullis-postgres users grant-role <email-or-id> <role>
  portcullis-postgres users revoke-role <email-or-id> <role>
  portcullis-postgres users disable <email-or-id>         (and end their sessions)
  portcullis-postgres users enable <email-or-id>
  portcullis-postgres users revoke-sessions <email-or-id>
  portcullis-postgres users unlock <email-or-id>          (sign-in and second-factor locks)
  portcullis-postgres sessions revoke-all                 (every session of every user)
        users and sessions commands take [--url <postgres-url>] [--schema <name>] [--json]

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
  --json         import-django, users, sessions: print one JSON document
  --query        users list: a prefix of the email, username, first or last name
  --role         users list: only users with this role; users create: a role to give (repeat
                 it). Any role name core accepts (letters, digits, _ . : -, starting with a
                 letter): the CLI cannot see the app's roles config, and a role it does not
                 configure grants nothing. admin is built in.
  --disabled     users list: only disabled (true) or enabled (false) users
  --limit        users list: at most this many users; default: 50
  --password-stdin  users create: read the password from stdin (one line), never from an
                 argument; without it the user has no password (reset link or magic link)
  --verified     users create: mark the email address verified
  <email-or-id>  an argument with @ is an email (normalized as core does), else a user id

Exit codes: 0 done, 1 the database failed or refused (no such user, a taken email), 2 bad usage.
Every change by users and sessions commands is audited (admin.action, via "cli").`;

/** The command groups whose commands take arguments: `users <command>`, `sessions <command>`. */
export const GROUPS = ['users', 'sessions'];
/** Options of `users` commands only. */
export const USERS_ONLY = ['query', 'role', 'disabled', 'limit', 'password-stdin', 'verified'];

/**
 * A core user id that begins with `-` (base64url: 1 id in 64): an argument, not an option.
 * parseArgs would read it as one; it can also be given after `--`.
 */
const DASHED_ID = /^-[A-Za-z0-9_-]{21}$/;

/** The command line as parseArgs reads it, dashed user ids kept as arguments. */
export function parse(argv: readonly string[]) {
  // Refused before parsing, without the value: a password on the command line shows in `ps`
  // and in shell history, and must not be echoed into a log either.
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new Error('--password is not accepted: pipe the password in with --password-stdin.');
  }
  // Dashed ids pass through parseArgs as placeholders (no argument starts with NUL).
  const dashed = new Map<string, string>();
  const args = argv.map((a, i) => {
    if (!DASHED_ID.test(a)) return a;
    dashed.set(`\0${i}`, a);
    return `\0${i}`;
  });
  const back = (a: string) => dashed.get(a) ?? a;
  const parsed = parseArgs({
    args,
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
      query: { type: 'string' },
      role: { type: 'string', multiple: true },
      disabled: { type: 'string' },
      limit: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      verified: { type: 'boolean' },
    },
  });
  const positionals = parsed.positionals.map(back);
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([k, v]) => [
      k,
      typeof v === 'string' ? back(v) : Array.isArray(v) ? v.map(back) : v,
    ]),
  ) as typeof parsed.values;
  return { command: positionals[0], positionals, values };
}
