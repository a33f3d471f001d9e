import type { AuditStore } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, quoteSchemaName } from '../src/index.js';
import { listAllStatement } from '../src/storage/audit.js';
import { connectPool, release, testSchema } from './helpers.js';

// audit.listAll must stay index scans on a large table (migration 0008). This file plans each
// shape of the statement over 100,000 events and checks that the plan reads one index range,
// backwards, in order, and stops at the LIMIT: no sort, no sequential scan. Unlike
// users-list-plan, sequential scans stay allowed: these are the plans PostgreSQL picks itself.
const schema = testSchema();
const table = `${quoteSchemaName(schema)}.audit_events`;
let pool: Pool;

beforeAll(async () => {
  pool = await connectPool({ max: 1 });
  await migrate(fromPool(pool), { schema });
  const q = quoteSchemaName(schema);
  await pool.query(
    `INSERT INTO ${q}.users (id, email, email_normalized, created_at, updated_at)
     SELECT 'u' || i, 'u' || i || '@example.test', 'u' || i || '@example.test', now(), now()
       FROM generate_series(1, 1000) AS i`,
  );
  // 100,000 events of 1,000 users: mostly sign-ins, one in a thousand an admin action.
  await pool.query(
    `INSERT INTO ${table} (user_id, type, created_at, data)
     SELECT 'u' || (1 + i % 1000),
       CASE WHEN i % 1000 = 0 THEN 'admin.action' WHEN i % 3 = 0 THEN 'login.failed'
            ELSE 'login.succeeded' END,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', '{"n": 1}'
     FROM generate_series(1, 100000) AS i`,
  );
  await pool.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await release(pool, schema);
});

interface PlanNode {
  'Node Type': string;
  'Scan Direction'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/** Every node of the plan PostgreSQL makes for `options`, with the values of its parameters. */
async function planOf(options: Parameters<AuditStore['listAll']>[0]): Promise<PlanNode[]> {
  const { text, params } = listAllStatement(table, options);
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

/** The plan's nodes as `type [direction] [index] [cond: …] [filter: …]`, top first. */
const shapeOf = (nodes: PlanNode[]) =>
  nodes.map((n) =>
    [
      n['Node Type'],
      n['Scan Direction'] === 'Backward' ? 'backward' : undefined,
      n['Index Name'],
      n['Index Cond'] === undefined ? undefined : `cond: ${n['Index Cond']}`,
      n.Filter === undefined ? undefined : `filter: ${n.Filter}`,
    ]
      .filter((part) => part !== undefined)
      .join(' '),
  );

describe('audit.listAll plans', () => {
  it('reads the first page backwards along the primary key, without a sort', async () => {
    expect(shapeOf(await planOf({ limit: 201 }))).toEqual([
      'Limit',
      'Index Scan backward audit_events_pkey',
    ]);
  });

  it('starts a later page at its cursor: a range of the same index', async () => {
    expect(shapeOf(await planOf({ limit: 201, beforeSequence: 50_000 }))).toEqual([
      'Limit',
      "Index Scan backward audit_events_pkey cond: (sequence < '50000'::bigint)",
    ]);
  });

  it('reads a rare or unknown type through (type, sequence), never the whole table', async () => {
    // One event in a thousand: PostgreSQL may fetch the type's few rows and sort them, or walk
    // the index backwards; both read only that type's range.
    const rare = shapeOf(await planOf({ type: 'admin.action', limit: 201 }));
    expect(rare.at(-1)).toMatch(
      /^(Bitmap )?Index Scan (backward )?audit_events_type_sequence_idx cond: \(type = 'admin\.action'::text\)$/,
    );
    expect(shapeOf(await planOf({ type: 'no.such.type', limit: 201 }))).toEqual([
      'Limit',
      "Index Scan backward audit_events_type_sequence_idx cond: (type = 'no.such.type'::text)",
    ]);
  });

  it('reads a later page of a rare type from its cursor, within the type', async () => {
    expect(
      shapeOf(await planOf({ type: 'admin.action', limit: 201, beforeSequence: 50_000 })),
    ).toEqual([
      'Limit',
      "Index Scan backward audit_events_type_sequence_idx cond: ((type = 'admin.action'::text) AND (sequence < '50000'::bigint))",
    ]);
  });

  it('reads a common type in order from an index, stopping at the LIMIT', async () => {
    // One event in three: walking the primary key and skipping the others is as cheap as the
    // type's range, and PostgreSQL may pick either; neither sorts nor scans the table.
    for (const options of [
      { type: 'login.failed', limit: 201 },
      { type: 'login.failed', limit: 201, beforeSequence: 50_000 },
    ]) {
      const [top, scan, ...rest] = shapeOf(await planOf(options));
      expect([top, rest]).toEqual(['Limit', []]);
      expect(scan).toMatch(
        /^Index Scan backward (audit_events_pkey|audit_events_type_sequence_idx) /,
      );
      expect(scan).toContain("type = 'login.failed'::text");
    }
  });
});
