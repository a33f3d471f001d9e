import type { Db } from './db.js';

/**
 * Deletes the row `id` of user `userId` from `table` (a quoted table name of the user's
 * sign-in methods: `accounts`, `passkeys`). With `keepOne`, refuses (`last`) when it is the
 * user's only row, atomically across processes: `mine` locks the user's rows (with keepOne;
 * else only this one), in id order so that racers queue rather than deadlock. Under READ
 * COMMITTED a racer that waited for a lock finds the row another one deleted gone, so it
 * counts what is left: of two concurrent deletes of the last two rows, the second counts one
 * and deletes nothing. `found` tells `last` (the locked row is still there) from `not_found`.
 */
export async function deleteKeepingOne(
  db: Db,
  table: string,
  id: string,
  options: { readonly userId: string; readonly keepOne: boolean },
): Promise<'deleted' | 'not_found' | 'last'> {
  const { rows } = await db.query<{ deleted: boolean; found: boolean }>(
    `WITH mine AS (
       SELECT id FROM ${table} WHERE user_id = $2 AND ($3 OR id = $1)
        ORDER BY id COLLATE "C" FOR UPDATE),
     gone AS (
       DELETE FROM ${table} WHERE id = $1 AND user_id = $2
          AND (NOT $3 OR (SELECT count(*) FROM mine) > 1)
       RETURNING id)
     SELECT EXISTS (SELECT 1 FROM gone) AS deleted,
            EXISTS (SELECT 1 FROM mine WHERE id = $1) AS found`,
    [id, options.userId, options.keepOne],
  );
  const row = rows[0];
  if (row?.deleted === true) return 'deleted';
  return row?.found === true ? 'last' : 'not_found';
}
