import type { SqlClient } from '../client/types.js';
import { quoteSchemaName } from '../schema-name.js';
import { tablesOf } from '../storage/db.js';
import { postgresStorage } from '../storage/index.js';
import type { UsersContext } from './context.js';
import { revokeAllSessions } from './revoke-all.js';
import type { CliIo } from './run.js';
import { revokeSessions, unlockUser } from './users-access.js';
import type { UsersCommand } from './users-command.js';
import { listUsers, showUser } from './users-read.js';
import { changeRole, createUser, setDisabled } from './users-write.js';

/** What a `users` or `sessions` command needs besides itself. */
export interface UsersRun {
  readonly client: SqlClient;
  readonly schema: string;
  readonly json: boolean;
  /** `users create --password-stdin`: the password, read and checked for shape. */
  readonly password: string | undefined;
}

/**
 * Runs a `users …` or `sessions …` command against the database. The CLI acts as the operator
 * with database access, outside the admin API (which needs an admin user to act): it reads and
 * writes through the stores, and audits every change as an `admin.action` with `via: 'cli'`.
 * @throws CliError (exit 1: no such user, a taken email; exit 2: a refused password, too many
 * roles), or the driver's error
 */
export async function runUsersCommand(
  command: UsersCommand,
  run: UsersRun,
  io: CliIo,
): Promise<void> {
  const ctx: UsersContext = {
    storage: postgresStorage(run.client, { schema: run.schema }),
    client: run.client,
    tables: tablesOf(quoteSchemaName(run.schema)),
    now: () => Date.now(),
    json: run.json,
    io,
  };
  switch (command.kind) {
    case 'list':
      return listUsers(ctx, command);
    case 'show':
      return showUser(ctx, command);
    case 'create':
      return createUser(ctx, command, run.password);
    case 'grant-role':
    case 'revoke-role':
      return changeRole(ctx, command);
    case 'disable':
    case 'enable':
      return setDisabled(ctx, command);
    case 'revoke-sessions':
      return revokeSessions(ctx, command);
    case 'unlock':
      return unlockUser(ctx, command);
    case 'revoke-all':
      return revokeAllSessions(ctx);
  }
}
