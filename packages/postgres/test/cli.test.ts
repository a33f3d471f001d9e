import { freePort } from '@portcullis-tests/support';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { fromPool, listMigrations, postgresStorage } from '../src/index.js';
import { connectPool, DATABASE_URL, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
let admin: Pool;

beforeAll(async () => {
  admin = await connectPool({ max: 1 });
});

afterAll(async () => {
  await release(admin, schema);
});

/** Runs the CLI and captures what it prints. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('portcullis-postgres', () => {
  it('migrate applies the migrations, then finds the schema up to date', async () => {
    // Every migration the package ships, in order (listMigrations reads the same directory).
    expect((await listMigrations()).map((m) => m.name).slice(0, 7)).toEqual([
      '0001_initial',
      '0002_credential_generations',
      '0003_rate_limit_hit_ids',
      '0004_accounts',
      '0005_userless_tokens',
      '0006_passkeys',
      '0007_user_roles_and_list',
    ]);
    expect(await cli(['migrate', '--url', DATABASE_URL, '--schema', schema])).toEqual({
      code: 0,
      out: `Applied to schema ${schema}: ${(await listMigrations()).map((m) => m.name).join(', ')}.`,
      err: '',
    });
    // DATABASE_URL is the default of --url.
    expect(await cli(['migrate', '--schema', schema], { DATABASE_URL })).toMatchObject({
      code: 0,
      out: `Schema ${schema} is up to date.`,
    });
  });

  it('purge deletes dead rows in batches and prints the counts', async () => {
    const storage = postgresStorage(fromPool(admin), { schema });
    const user = makeUser(0);
    await storage.users.create(user);
    for (let n = 0; n < 3; n += 1) {
      await storage.tokens.create({
        purpose: 'p',
        selector: `s${n}`,
        verifierHash: 'v',
        userId: user.id,
        expiresAt: 1,
        attempts: 0,
      });
    }
    const result = await cli([
      'purge',
      '--url',
      DATABASE_URL,
      '--schema',
      schema,
      '--batch-size',
      '2',
    ]);
    expect(result).toEqual({
      code: 0,
      out: `Purged from schema ${schema}: 0 sessions, 3 tokens, 0 trustedDevices, 0 rateLimits.`,
      err: '',
    });
  });

  it.each([
    [[], /Usage/],
    [['frobnicate', '--url', 'postgres://x'], /Unknown command: frobnicate/],
    [['migrate'], /Missing --url/],
    [
      ['purge', '--url', 'postgres://x', '--batch-size', '0'],
      /--batch-size must be a positive integer/,
    ],
    [['migrate', '--url', 'postgres://x', '--bogus'], /Unknown option '--bogus'/],
    [['migrate', 'extra', '--url', 'postgres://x'], /Unexpected argument: extra/],
    [['migrate', '--url', 'postgres://x', '--schema', 'no-dashes'], /--schema: .*schema name/],
  ])('refuses bad usage %j with exit code 2', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
  });

  it('prints the usage for --help', async () => {
    expect(await cli(['--help'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('portcullis-postgres migrate'),
    });
  });

  it('exits 1 with the reason when the database cannot be reached', async () => {
    const down = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    const refused = await cli(['migrate', '--url', down, '--timeout-ms', '1000']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/migrate failed: .*ECONNREFUSED/);
  });
});
