import type { JsonObject, UserRecord } from '@portcullis/core/storage';
import type { SqlClient } from '../client/types.js';
import type { Tables } from '../storage/db.js';
import type { PostgresStorage } from '../storage/index.js';
import { refused } from './errors.js';
import type { CliIo } from './run.js';
import type { UserRef } from './users-command.js';

/** What a `users` or `sessions` command works with. */
export interface UsersContext {
  /** The stores, in the schema given by `--schema`. */
  readonly storage: PostgresStorage;
  /** The connection, for the statements no store has (`sessions revoke-all`, lock keys). */
  readonly client: SqlClient;
  /** The schema's tables, quoted and qualified. */
  readonly tables: Tables;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** `--json`: one JSON document on `io.out`. */
  readonly json: boolean;
  readonly io: CliIo;
}

/** Prints `document` as JSON with `--json`, else the human `lines`. */
export function print(ctx: UsersContext, document: unknown, lines: readonly string[]): void {
  if (ctx.json) ctx.io.out(JSON.stringify(document, null, 2));
  else for (const line of lines) ctx.io.out(line);
}

/** The user `ref` names. @throws CliError (exit 1) when there is none */
export async function findUser(
  storage: Pick<PostgresStorage, 'users'>,
  ref: UserRef,
): Promise<UserRecord> {
  const user =
    ref.by === 'email'
      ? await storage.users.getByEmail(ref.email.emailNormalized)
      : await storage.users.getById(ref.id);
  if (user === undefined) {
    throw refused(
      ref.by === 'email' ? `No user with email ${ref.email.email}.` : `No user with id ${ref.id}.`,
    );
  }
  return user;
}

/** Where an audited change came from: `data.via` of its `admin.action` event. */
export const VIA = 'cli';

/**
 * Appends an `admin.action` event (`data.action`, `data.via: 'cli'`, then `data`) to the user's
 * audit trail, as core's admin API does (core names the admin in `adminId`; a CLI has none:
 * whoever can reach the database is the operator).
 */
export function auditAction(
  audit: PostgresStorage['audit'],
  event: { userId: string; at: number; action: string; data?: JsonObject },
): Promise<number> {
  return audit.append({
    userId: event.userId,
    type: 'admin.action',
    createdAt: event.at,
    data: { action: event.action, via: VIA, ...event.data },
  });
}

/** `session.revoked_all`, as core's `revokeAllSessions` writes it, for the user's own trail. */
export function auditSessionsEnded(
  audit: PostgresStorage['audit'],
  event: { userId: string; at: number; reason: string },
): Promise<number> {
  return audit.append({
    userId: event.userId,
    type: 'session.revoked_all',
    createdAt: event.at,
    data: { reason: event.reason, keptCurrent: false },
  });
}
