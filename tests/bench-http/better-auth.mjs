// Better Auth on the same PostgreSQL, for comparison, configured as its docs say: a pg Pool as
// `database` (its schema chosen with search_path), email and password sign-in, everything else
// at its defaults (sessions in the database, no cookie cache, scrypt). Its schema is made with
// its own migrations (`getMigrations`), its account signed up through its API, and `--rows`
// sessions of a seed account written with one INSERT … generate_series, as for Portcullis.
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import pg from 'pg';
import { APP_URL, DATABASE_URL, PASSWORD, SECRET, SEED_EMAIL, USER_EMAIL } from './config.mjs';

/** Better Auth's tables; kept between runs like the other two schemas. */
export const BETTER_AUTH_SCHEMA = 'pc_bench_http_better_auth';

/** A pool of 10 (as Portcullis's) whose tables are in {@link BETTER_AUTH_SCHEMA}. */
export function betterAuthPool() {
  return new pg.Pool({
    connectionString: DATABASE_URL,
    max: 10,
    options: `-c search_path=${BETTER_AUTH_SCHEMA}`,
  });
}

/** @param {pg.Pool} pool */
export function createBetterAuth(pool) {
  return betterAuth({
    database: pool,
    secret: SECRET,
    baseURL: APP_URL,
    emailAndPassword: { enabled: true },
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
}

/**
 * Migrates Better Auth's schema, signs up the accounts, and seeds `count` sessions (again only
 * when `count` changed).
 * @param {pg.Pool} admin a pool without a statement timeout
 * @param {number} count
 * @param {(line: string) => void} log
 */
export async function prepareBetterAuth(admin, count, log) {
  const s = `"${BETTER_AUTH_SCHEMA}"`;
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  const pool = betterAuthPool();
  try {
    const auth = createBetterAuth(pool);
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
    /** @type {Record<string, string>} */
    const ids = {};
    for (const email of [SEED_EMAIL, USER_EMAIL]) {
      const found = await pool.query(`SELECT id FROM "user" WHERE email = $1`, [email]);
      if (found.rows[0] === undefined) {
        await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: 'Bench' } });
      }
      const { rows } = await pool.query(`SELECT id FROM "user" WHERE email = $1`, [email]);
      if (rows[0] === undefined) throw new Error(`Better Auth did not sign ${email} up`);
      ids[email] = rows[0].id;
    }
    const mark = `bench-http sessions=${count}`;
    const { rows } = await admin.query(
      `SELECT obj_description(oid, 'pg_namespace') AS mark FROM pg_namespace WHERE nspname = $1`,
      [BETTER_AUTH_SCHEMA],
    );
    if (rows[0]?.mark !== mark) {
      log(`seeding ${BETTER_AUTH_SCHEMA}.session with ${count.toLocaleString('en-US')} sessions`);
      await admin.query(`TRUNCATE ${s}."session"`);
      await admin.query(
        `INSERT INTO ${s}."session" (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
         SELECT md5('b' || i), now() + interval '3650 days', md5('t' || i), now(), now(), $1
         FROM generate_series(1, $2::int) i`,
        [ids[SEED_EMAIL], count],
      );
      await admin.query(`ANALYZE ${s}."session"`);
      await admin.query(`COMMENT ON SCHEMA ${s} IS '${mark}'`);
    }
    // Earlier runs' sign-ins.
    await admin.query(`DELETE FROM ${s}."session" WHERE "userId" = $1`, [ids[USER_EMAIL]]);
  } finally {
    await pool.end();
  }
}
