/**
 * The operation table of the HTTP contract (`docs/http.md`): each operation declared once, keyed
 * by its operationId, with its method, path, who may call it, its request and success schemas
 * and its error codes. Everything else is derived from it:
 * - the router: `routes/` holds one handler per operationId (a missing or extra one is a type
 *   error) and `handler.ts` joins the two (`joinRoutes` in `router.ts`);
 * - the OpenAPI document (`scripts/openapi-build.ts`, committed as `openapi/document.json`);
 * - the client's method and path of each operation (`packages/client/src/contract.ts`, written
 *   by `scripts/openapi.ts`).
 *
 * Tests fail when the committed document or the client's file differ from what this table
 * gives (`test/http/openapi.test.ts`, `test/http/client-contract.test.ts`).
 */
import { ACCOUNT_OPERATIONS } from './account.js';
import { ADMIN_OPERATIONS } from './admin.js';
import { IDENTITY_OPERATIONS } from './identity.js';
import { IMPERSONATION_OPERATIONS } from './impersonation.js';
import { OAUTH_OPERATIONS } from './oauth.js';
import { PASSWORDLESS_OPERATIONS } from './passkeys.js';
import { SESSION_OPERATIONS } from './sessions.js';
import type { OperationSpec } from './spec.js';
import { TWO_FACTOR_OPERATIONS } from './two-factor.js';

const TABLE = {
  // The order of `docs/http.md`, which the document keeps.
  ...IDENTITY_OPERATIONS,
  ...SESSION_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...TWO_FACTOR_OPERATIONS,
  ...OAUTH_OPERATIONS,
  ...PASSWORDLESS_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...IMPERSONATION_OPERATIONS,
  getOpenApiDocument: {
    method: 'GET',
    path: '/openapi.json',
    tag: 'Document',
    summary: 'This document',
    description: 'Served unless `http.openapi` is false (the default in production): then 404.',
    auth: 'none',
    success: { status: 200, schema: 'OpenApiDocument', description: 'OpenAPI 3.1.' },
    errors: ['NOT_FOUND'],
  },
} satisfies Record<string, OperationSpec>;

/** The id of an operation of the contract (`login`, `revokeSession`, …). */
export type OperationId = keyof typeof TABLE;

/** Every operation of the contract, by operationId, in the order of `docs/http.md`. */
export const OPERATIONS: Readonly<Record<OperationId, OperationSpec>> = TABLE;

/** The operationIds of {@link OPERATIONS}, in its order. */
export const OPERATION_IDS = Object.keys(OPERATIONS) as readonly OperationId[];
