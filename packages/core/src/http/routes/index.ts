import type { OperationId } from '../operations/index.js';
import type { Handler } from '../router.js';
import { accountHandlers } from './account.js';
import { adminHandlers } from './admin.js';
import { identityHandlers } from './identity.js';
import { impersonationHandlers } from './impersonation.js';
import { oauthHandlers } from './oauth.js';
import { openApiHandlers } from './openapi.js';
import { passwordlessHandlers } from './passkeys.js';
import { sessionHandlers } from './sessions.js';
import { twoFactorHandlers } from './two-factor.js';

/**
 * The handler of every operation of the table (`operations/`), by operationId: an operation
 * without a handler is a type error here, a handler without an operation one in its file
 * (`satisfies Handlers`). Two files handling the same operation are caught by
 * `test/http/operation-table.test.ts`.
 */
export const HANDLERS = {
  ...identityHandlers,
  ...sessionHandlers,
  ...accountHandlers,
  ...twoFactorHandlers,
  ...oauthHandlers,
  ...passwordlessHandlers,
  ...adminHandlers,
  ...impersonationHandlers,
  ...openApiHandlers,
} satisfies Record<OperationId, Handler>;

/** The handler files' exports, for the test that no two of them handle one operation. */
export const HANDLER_GROUPS = [
  identityHandlers,
  sessionHandlers,
  accountHandlers,
  twoFactorHandlers,
  oauthHandlers,
  passwordlessHandlers,
  adminHandlers,
  impersonationHandlers,
  openApiHandlers,
] as const;
