import type { Storage } from '@portcullis/core';
import type { Db } from './db.js';
import { live, type SessionRow, sessionColumns, toSession } from './sessions.js';
import { toUser, unprefixUser, userColumns } from './users-row.js';

/** The prefix of the user's columns in the joined row (the session has an `id` too). */
const USER = 'u_';

/**
 * `Storage.sessionWithUser`: the live session and its user in one statement (a left join on
 * the primary keys), named so PostgreSQL plans it once per connection. Validating a session is
 * then one round trip instead of two.
 */
export function pgSessionWithUser(db: Db): NonNullable<Storage['sessionWithUser']> {
  const { sessions, users, refreshHashes } = db.t;
  const text = `SELECT ${sessionColumns(refreshHashes)}, ${userColumns('u.', USER)}
    FROM ${sessions} s LEFT JOIN ${users} u ON u.id = s.user_id
    WHERE s.id = $1 AND ${live(2, 's.')}`;
  const options = db.prepared('sessions_get_with_user', text);
  return async (id, now) => {
    const { rows } = await db.query<SessionRow & Record<string, unknown>>(text, [id, now], options);
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      session: toSession(row),
      user: row[`${USER}id`] === null ? undefined : toUser(unprefixUser(row, USER)),
    };
  };
}
