// The data the servers read, made before the first server starts:
// - FLOOR_SCHEMA.lookup: `rows` rows (md5 ids, so the one looked up sits anywhere in the index);
// - AUTH_SCHEMA: Portcullis's tables (migrate), three accounts (registered through the API),
//   and `rows` sessions of the seed account written with one INSERT … generate_series.
// Both are kept between runs and seeded again only when `rows` changed (a million rows take
// seconds); the comment on each schema records what it holds. `dropAll` removes them.
import { createAuth } from '@portcullis/core';
import { migrate, postgresStorage } from '@portcullis/postgres';
import {
  AUTH_SCHEMA,
  authOptions,
  ensureAccount,
  FLOOR_SCHEMA,
  LOGIN_EMAIL,
  SEED_EMAIL,
  USER_EMAIL,
} from './config.mjs';

/** @typedef {import('pg').Pool} Pool */

/**
 * What the comment on `schema` says it holds, or `undefined`.
 * @param {Pool} pool
 * @param {string} schema
 */
async function seededMark(pool, schema) {
  const { rows } = await pool.query(
    `SELECT obj_description(oid, 'pg_namespace') AS mark FROM pg_namespace WHERE nspname = $1`,
    [schema],
  );
  return rows[0]?.mark ?? undefined;
}

/**
 * The floor's table of `count` rows, reused when it already has them.
 * @param {Pool} pool
 * @param {number} count
 * @param {(line: string) => void} log
 */
async function seedFloor(pool, count, log) {
  const mark = `bench-http floor rows=${count}`;
  if ((await seededMark(pool, FLOOR_SCHEMA)) === mark) return;
  log(`seeding ${FLOOR_SCHEMA}.lookup with ${count.toLocaleString('en-US')} rows`);
  const s = `"${FLOOR_SCHEMA}"`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await pool.query(`DROP TABLE IF EXISTS ${s}.lookup`);
  // Rows first, then the index: building it once is faster than growing it row by row.
  await pool.query(`CREATE TABLE ${s}.lookup (id text NOT NULL, value text NOT NULL)`);
  await pool.query(
    `INSERT INTO ${s}.lookup SELECT md5(i::text), md5((-i)::text) FROM generate_series(1, $1::int) i`,
    [count],
  );
  await pool.query(`ALTER TABLE ${s}.lookup ADD PRIMARY KEY (id)`);
  await pool.query(`ANALYZE ${s}.lookup`);
  await pool.query(`COMMENT ON SCHEMA ${s} IS '${mark}'`);
}

/**
 * Portcullis's schema: migrated, the three accounts, `count` seeded sessions; the sessions and
 * audit events of earlier runs' bench accounts removed.
 * @param {Pool} pool
 * @param {number} count
 * @param {(line: string) => void} log
 */
async function seedAuth(pool, count, log) {
  await migrate(pool, { schema: AUTH_SCHEMA });
  const storage = postgresStorage(pool, { schema: AUTH_SCHEMA });
  const auth = createAuth(authOptions(storage));
  /** @type {Record<string, string>} */
  const ids = {};
  try {
    for (const email of [SEED_EMAIL, USER_EMAIL, LOGIN_EMAIL]) {
      ids[email] = await ensureAccount(auth, storage, email);
    }
  } finally {
    await auth.close();
  }
  const s = `"${AUTH_SCHEMA}"`;
  // requireAuth({ role: 'admin' }) lets this account through.
  await pool.query(`UPDATE ${s}.users SET roles = ARRAY['admin'] WHERE id = $1`, [ids[USER_EMAIL]]);
  const mark = `bench-http sessions=${count}`;
  if ((await seededMark(pool, AUTH_SCHEMA)) !== mark) {
    log(`seeding ${AUTH_SCHEMA}.sessions with ${count.toLocaleString('en-US')} sessions`);
    await pool.query(`TRUNCATE ${s}.sessions CASCADE`);
    // Live for ten years, ids shaped like core's (22 characters), hashes that match nothing.
    await pool.query(
      `INSERT INTO ${s}.sessions (id, user_id, secret_hash, created_at, last_seen_at,
         idle_expires_at, absolute_expires_at, fresh_until)
       SELECT substr(md5('s' || i), 1, 22), $1, md5('h' || i), now(), now(),
         now() + interval '3650 days', now() + interval '3650 days', now()
       FROM generate_series(1, $2::int) i`,
      [ids[SEED_EMAIL], count],
    );
    await pool.query(`ANALYZE ${s}.sessions`);
    await pool.query(`COMMENT ON SCHEMA ${s} IS '${mark}'`);
  }
  // Earlier runs' sign-ins: thousands of sessions and audit events of the bench accounts.
  const mine = [ids[USER_EMAIL], ids[LOGIN_EMAIL]];
  await pool.query(`DELETE FROM ${s}.sessions WHERE user_id = ANY($1)`, [mine]);
  await pool.query(`DELETE FROM ${s}.audit_events WHERE user_id = ANY($1)`, [mine]);
}

/**
 * Seeds (or reuses) both schemas.
 * @param {Pool} pool a pool without a statement timeout
 * @param {number} count rows of the floor's table and seeded sessions
 * @param {(line: string) => void} log
 */
export async function prepare(pool, count, log) {
  await seedFloor(pool, count, log);
  await seedAuth(pool, count, log);
}

/**
 * Removes both schemas (`pnpm bench:http --drop`).
 * @param {Pool} pool
 */
export async function dropAll(pool) {
  for (const schema of [FLOOR_SCHEMA, AUTH_SCHEMA, 'pc_bench_http_better_auth']) {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}
