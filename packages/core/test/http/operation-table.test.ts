/**
 * The operation table (`src/http/operations/`) is the one declaration of each operation; the
 * router is derived from it. Types already refuse an operation without a handler and a handler
 * without an operation; these tests hold what types cannot: no two handler files claim one
 * operation, the router reaches each operation, and the table's `auth` is what the handlers do.
 */
import { describe, expect, it } from 'vitest';
import { createAuth } from '../../src/create-auth.js';
import { createHttpHandler } from '../../src/http/handler.js';
import { OPENAPI_DOCUMENT } from '../../src/http/openapi/document.js';
import { OPERATION_IDS, OPERATIONS } from '../../src/http/operations/index.js';
import { joinRoutes, match } from '../../src/http/router.js';
import { HANDLER_GROUPS, HANDLERS } from '../../src/http/routes/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { memoryMailer } from '../../src/mail/memory.js';
import { memoryStorage } from '../../src/storage/memory/index.js';

/** The path of an operation with each `:name` parameter filled in. */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'abc_1');

describe('operation table', () => {
  it('declares each method and path once', () => {
    const routes = Object.values(OPERATIONS).map((op) => `${op.method} ${op.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('gives each operation exactly one handler, from one routes file', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...OPERATION_IDS].sort());
    // A second file handling an operation would silently replace the first one's handler.
    const claimed = HANDLER_GROUPS.flatMap((group) => Object.keys(group));
    expect(claimed.sort()).toEqual([...OPERATION_IDS].sort());
    for (const group of HANDLER_GROUPS) {
      for (const [id, handle] of Object.entries(group)) {
        expect(HANDLERS[id as keyof typeof HANDLERS], id).toBe(handle);
      }
    }
  });

  it('routes each operation to its own handler, in the order of the table', () => {
    const routes = joinRoutes(HANDLERS);
    expect(routes.map((r) => r.operationId)).toEqual(OPERATION_IDS);
    for (const id of OPERATION_IDS) {
      const { method, path } = OPERATIONS[id];
      const found = match(routes, method, concrete(path));
      expect(found.kind === 'route' && found.route.operationId, `${method} ${path}`).toBe(id);
      expect(found.kind === 'route' && found.route.handle).toBe(HANDLERS[id]);
    }
  });

  it('is the document: each operationId under its method and path', () => {
    for (const id of OPERATION_IDS) {
      const { method, path } = OPERATIONS[id];
      const item = OPENAPI_DOCUMENT.paths[path.replace(/:([A-Za-z]+)/g, '{$1}')];
      expect(item?.[method.toLowerCase()], id).toMatchObject({ operationId: id });
    }
  });
});

describe('operation table: who may call an operation is what its handler enforces', () => {
  const handler = createHttpHandler(
    createAuth({
      storage: memoryStorage(),
      mailer: memoryMailer(),
      appUrl: 'https://app.example.com',
      secret: 's'.repeat(32),
      logger: silentLogger,
    }),
  );
  const anonymous = (method: string, path: string) =>
    handler(
      new Request(`https://app.example.com/api/auth${concrete(path)}`, {
        method,
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
      }),
    );

  it.each(OPERATION_IDS.filter((id) => OPERATIONS[id].auth === 'session'))(
    '%s (auth: session) refuses a caller without credentials: 401 UNAUTHENTICATED',
    async (id) => {
      const res = await anonymous(OPERATIONS[id].method, OPERATIONS[id].path);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    },
  );

  it.each(OPERATION_IDS.filter((id) => OPERATIONS[id].auth !== 'session'))(
    '%s (auth: none or refresh) never asks for a session',
    async (id) => {
      const res = await anonymous(OPERATIONS[id].method, OPERATIONS[id].path);
      expect(res.status).not.toBe(405);
      const body = (await res.json()) as { error?: { code?: string } };
      expect(body.error?.code).not.toBe('UNAUTHENTICATED');
    },
  );
});
