import type { UserListQuery } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, quoteSchemaName } from '../src/index.js';
import { likePrefix, listStatement } from '../src/storage/users-list.js';
import { connectPool, release, testSchema } from './helpers.js';

// users.list must stay index scans on a large table (migration 0007). This file plans each
// shape of the statement over 20,000 users and checks which indexes the plan reads. Sequential
// scans are switched off for its connection, so a plan that still reads the whole table (or
// walks an index only to filter it) means the indexes cannot answer that shape at all.
const schema = testSchema();
const table = `${quoteSchemaName(schema)}.users`;
let pool: Pool;

beforeAll(async () => {
  pool = await connectPool({ max: 1 });
  await migrate(fromPool(pool), { schema });
  // Three users a second from 2024 on (ties on created_at), one in a hundred an admin, four
  // owners, one in ten disabled.
  await pool.query(
    `INSERT INTO ${table} (id, email, email_normalized, username, username_normalized,
       first_name, last_name, disabled, roles, created_at, updated_at)
     SELECT 'u' || lpad(i::text, 6, '0'), 'User' || i || '@Example.test',
       'user' || i || '@example.test', 'User' || i, 'user' || i, 'First' || i, 'Last' || i,
       i % 10 = 0,
       CASE WHEN i % 5000 = 0 THEN '{admin,owner}' WHEN i % 100 = 0 THEN '{admin}' ELSE '{}'
       END::text[],
       timestamptz '2024-01-01 00:00:00+00' + (i / 3) * interval '1 second',
       timestamptz '2024-01-01 00:00:00+00'
     FROM generate_series(1, 20000) AS i`,
  );
  await pool.query(`ANALYZE ${table}`);
  await pool.query('SET enable_seqscan = off');
});

afterAll(async () => {
  await release(pool, schema);
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** Every node of the plan PostgreSQL makes for `query`, with the values of its parameters. */
async function planOf(query: UserListQuery): Promise<PlanNode[]> {
  const { text, params } = listStatement(table, query);
  const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON) ${text}`,
    params,
  );
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(rows[0]?.['QUERY PLAN'][0].Plan ?? { 'Node Type': 'none' });
  return nodes;
}

/** The indexes a plan reads, each with whether it has an index condition (not a full walk). */
const indexesOf = (nodes: PlanNode[]) =>
  nodes.flatMap((n) =>
    n['Index Name'] === undefined ? [] : [[n['Index Name'], n['Index Cond'] !== undefined]],
  );

const EPOCH_2024 = Date.UTC(2024, 0, 1);

describe('users.list plans', () => {
  it('reads the first page in order from (created_at, id COLLATE "C"), without a sort', async () => {
    const nodes = await planOf({ limit: 51 });
    expect(nodes.map((n) => n['Node Type'])).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(nodes)).toEqual([['users_created_at_id_idx', false]]);
  });

  it('starts a later page at its cursor: a range of the same index', async () => {
    const after = { createdAt: EPOCH_2024 + 3000 * 1000, id: 'u009000' };
    const nodes = await planOf({ after, limit: 51 });
    expect(nodes.map((n) => n['Node Type'])).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(nodes)).toEqual([['users_created_at_id_idx', true]]);
  });

  it('finds a prefix through the four prefix indexes at once', async () => {
    for (const prefix of ['user1234', 'first1234', 'LAST1234']) {
      const names = indexesOf(await planOf({ prefix, limit: 51 }));
      expect(names.sort(), prefix).toEqual([
        ['users_email_normalized_prefix_idx', true],
        ['users_first_name_prefix_idx', true],
        ['users_last_name_prefix_idx', true],
        ['users_username_normalized_prefix_idx', true],
      ]);
    }
  });

  it('keeps an escaped prefix an index range, and a page after a cursor too', async () => {
    const after = { createdAt: EPOCH_2024, id: 'u000001' };
    const names = indexesOf(await planOf({ prefix: 'user_12%\\', after, limit: 51 }));
    expect(names.filter(([, ranged]) => ranged)).toHaveLength(4);
    expect(likePrefix('a_b%c\\d')).toBe('a\\_b\\%c\\\\d');
  });

  it('finds a rare role through the GIN index, a common one walking the ordered index', async () => {
    const rare = indexesOf(await planOf({ role: 'owner', disabled: false, limit: 51 }));
    expect(rare).toEqual([['users_roles_idx', true]]);
    // One in a hundred: 51 admins come within the first ~5,100 users in order, no sort needed.
    const common = indexesOf(await planOf({ role: 'admin', limit: 51 }));
    expect(common).toEqual([['users_created_at_id_idx', false]]);
  });
});
