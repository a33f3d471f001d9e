import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, expect, it } from 'vitest';
import { fromPGlite, migrate, postgresStorage } from '../src/index.js';
import { makeUser } from './helpers.js';

let dir: string | undefined;

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('keeps users and the migration record in a PGlite data directory across restarts', async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-pglite-'));
  const user = makeUser(Date.now());
  const first = await PGlite.create(dir);
  expect((await migrate(first, { schema: 'auth' })).applied).not.toEqual([]);
  expect(await postgresStorage(first, { schema: 'auth' }).users.create(user)).toBe('created');
  await first.close();

  const again = await PGlite.create(dir);
  try {
    expect(await migrate(fromPGlite(again), { schema: 'auth' })).toEqual({
      schema: 'auth',
      applied: [],
    });
    expect(
      await postgresStorage(fromPGlite(again), { schema: 'auth' }).users.getById(user.id),
    ).toEqual(user);
  } finally {
    await again.close();
  }
});
