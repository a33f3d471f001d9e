import { describeStorageConformance } from '@portcullis/core/testing';
import type { Pool } from 'pg';
import { fromPool, migrate, postgresStorage } from '../src/index.js';
import { connectPool, dropSchema, testSchema } from './helpers.js';

// The kit against the shared PostgreSQL server, in a schema of this file's own. If the server
// cannot be reached, connectPool rejects and every check of the kit fails.
const schema = testSchema();
let pool: Pool | undefined;

describeStorageConformance(
  'postgresStorage on PostgreSQL (node-postgres Pool)',
  async () => {
    pool = await connectPool({ max: 10 });
    const client = fromPool(pool);
    await migrate(client, { schema });
    return postgresStorage(client, { schema });
  },
  {
    cleanup: async () => {
      if (pool === undefined) return;
      await dropSchema(pool, schema);
      await pool.end();
    },
  },
);
