import { type NormalizedEmail, normalizeEmail } from '@portcullis/core/users';
import { usage } from './errors.js';

/** How a command names a user: by email (anything with an `@`) or by id. */
export type UserRef =
  | { readonly by: 'email'; readonly email: NormalizedEmail }
  | { readonly by: 'id'; readonly id: string };

/** A `users …` or `sessions …` command line, checked. */
export type UsersCommand =
  | {
      readonly kind: 'list';
      readonly query: string | undefined;
      readonly role: string | undefined;
      readonly disabled: boolean | undefined;
      readonly limit: number;
    }
  | OnUser<'show' | 'disable' | 'enable' | 'revoke-sessions' | 'unlock'>
  | {
      readonly kind: 'create';
      readonly email: NormalizedEmail;
      readonly passwordStdin: boolean;
      readonly roles: readonly string[];
      readonly verified: boolean;
    }
  | RoleChange<'grant-role' | 'revoke-role'>
  | { readonly kind: 'revoke-all' };

/** A command on one user, one member per kind. */
type OnUser<K extends string> = K extends string
  ? { readonly kind: K; readonly user: UserRef }
  : never;

/** A change of one role of one user, one member per kind. */
type RoleChange<K extends string> = K extends string
  ? { readonly kind: K; readonly user: UserRef; readonly role: string }
  : never;

/** The options of the command line that only `users` commands take. */
export interface UsersOptionValues {
  readonly query?: string | undefined;
  readonly role?: string[] | undefined;
  readonly disabled?: string | undefined;
  readonly limit?: string | undefined;
  readonly 'password-stdin'?: boolean | undefined;
  readonly verified?: boolean | undefined;
}

/** Role names as core's configuration schema accepts them (`roles` of `createAuth`). */
export const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** The most roles one user holds: the admin API's limit (`roles` of `PATCH /admin/users/:id`). */
export const MAX_ROLES = 32;

/** Users a `users list` prints unless told otherwise (`--limit`). */
export const DEFAULT_LIST_LIMIT = 50;

/** The options each command takes besides `--url`, `--schema`, `--timeout-ms` and `--json`. */
const OWN_OPTIONS: Record<UsersCommand['kind'], readonly string[]> = {
  list: ['query', 'role', 'disabled', 'limit'],
  create: ['password-stdin', 'role', 'verified'],
  show: [],
  'grant-role': [],
  'revoke-role': [],
  disable: [],
  enable: [],
  'revoke-sessions': [],
  unlock: [],
  'revoke-all': [],
};
const COMMON_OPTIONS = ['url', 'schema', 'timeout-ms', 'json', 'help'];

/** Positional arguments after `users <command>` (or `sessions <command>`), by command. */
const ARGUMENTS: Record<UsersCommand['kind'], readonly string[]> = {
  list: [],
  create: ['<email>'],
  show: ['<email-or-id>'],
  'grant-role': ['<email-or-id>', '<role>'],
  'revoke-role': ['<email-or-id>', '<role>'],
  disable: ['<email-or-id>'],
  enable: ['<email-or-id>'],
  'revoke-sessions': ['<email-or-id>'],
  unlock: ['<email-or-id>'],
  'revoke-all': [],
};

const isKind = (name: string | undefined): name is UsersCommand['kind'] =>
  name !== undefined && Object.hasOwn(OWN_OPTIONS, name) && name !== 'revoke-all';

/**
 * Checks `users <command> …` or `sessions revoke-all` (`positionals` from the group name on,
 * `given` the names of the options on the command line).
 * @throws CliError (exit 2) naming what is wrong. Never echoes an unexpected argument: an
 * operator who types a password where it does not belong must not find it in a log.
 */
export function parseUsersCommand(
  positionals: readonly string[],
  given: readonly string[],
  values: UsersOptionValues,
): UsersCommand {
  const [group, name, ...args] = positionals;
  const kind =
    group === 'sessions'
      ? name === 'revoke-all'
        ? 'revoke-all'
        : undefined
      : isKind(name)
        ? name
        : undefined;
  if (kind === undefined) {
    throw usage(
      name === undefined ? `Missing the ${group} command.` : `Unknown command: ${group} ${name}`,
    );
  }
  const title = `${group} ${kind}`;
  const extra = given.find((o) => !COMMON_OPTIONS.includes(o) && !OWN_OPTIONS[kind].includes(o));
  if (extra !== undefined) throw usage(`${title} does not take --${extra}.`);
  const wanted = ARGUMENTS[kind];
  if (args.length !== wanted.length) {
    throw usage(
      `${title} takes ${wanted.length === 0 ? 'no arguments' : wanted.join(' ')}${
        kind === 'create' ? ' (a password goes on stdin, with --password-stdin)' : ''
      }.`,
    );
  }
  const [first = '', second = ''] = args;
  switch (kind) {
    case 'list':
      return {
        kind,
        query: values.query?.trim().toLowerCase() || undefined,
        role: values.role === undefined ? undefined : oneRole(values.role),
        disabled: booleanOption('disabled', values.disabled),
        limit: values.limit === undefined ? DEFAULT_LIST_LIMIT : positive('limit', values.limit),
      };
    case 'create': {
      const roles = [...new Set((values.role ?? []).map(checkRole))];
      if (roles.length > MAX_ROLES) throw usage(`A user holds at most ${MAX_ROLES} roles.`);
      return {
        kind,
        email: emailOf(first),
        passwordStdin: values['password-stdin'] === true,
        roles,
        verified: values.verified === true,
      };
    }
    case 'grant-role':
    case 'revoke-role':
      return { kind, user: userRef(first), role: checkRole(second) };
    case 'revoke-all':
      return { kind };
    default:
      return { kind, user: userRef(first) };
  }
}

/** A user argument: an email when it has an `@` (core's ids never do), else an id. */
export function userRef(arg: string): UserRef {
  if (arg.includes('@')) return { by: 'email', email: emailOf(arg) };
  if (arg.trim() === '' || arg.length > 256) throw usage('Expected an email or a user id.');
  return { by: 'id', id: arg };
}

function emailOf(arg: string): NormalizedEmail {
  const email = normalizeEmail(arg);
  if (email === undefined) throw usage(`Not a valid email address: ${arg}`);
  return email;
}

function checkRole(role: string): string {
  if (!ROLE_NAME.test(role)) {
    throw usage(
      `Not a role name: ${role} (1 to 64 letters, digits, _ . : -, starting with a letter).`,
    );
  }
  return role;
}

function oneRole(roles: readonly string[]): string {
  if (roles.length !== 1) throw usage('users list takes one --role.');
  return checkRole(roles[0] ?? '');
}

function booleanOption(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw usage(`--${name} must be true or false.`);
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw usage(`--${name} must be a positive integer.`);
  }
  return n;
}
