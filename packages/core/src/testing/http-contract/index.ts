import { describe } from 'vitest';
import { describeAccount } from './account.js';
import { describeAdmin } from './admin.js';
import {
  type ContractAuthConfig,
  type ContractVariant,
  type StartServer,
  useContract,
} from './context.js';
import { describeCookies } from './cookies.js';
import { describeCors } from './cors.js';
import { describeCsrf } from './csrf.js';
import { describeProtocol } from './errors.js';
import { describeIdentity } from './identity.js';
import { describeImpersonation } from './impersonation.js';
import { describeJwks, describeJwt } from './jwt.js';
import { describeLeakage } from './leakage.js';
import { describeOAuth } from './oauth.js';
import { describeOpenApi } from './openapi.js';
import { describePasswordless } from './passwordless.js';
import { describePasswords } from './passwords.js';
import { describeSessions } from './sessions.js';
import { describeThrottles } from './throttles.js';
import { describeTwoFactor } from './two-factor.js';

export type {
  ContractClientOptions,
  ContractRequestOptions,
  ContractResponse,
  Exchange,
} from './client.js';
export { ContractClient } from './client.js';
export type { ContractAuthConfig, StartServer } from './context.js';
export type { SetCookie } from './cookie-jar.js';
export { CookieJar, parseSetCookie } from './cookie-jar.js';

/** Options of {@link describeHttpContract}. */
export interface HttpContractOptions {
  /**
   * Where the routes are mounted (`http.basePath` of every Auth the suite creates).
   * Default `/api/auth`.
   */
  readonly basePath?: string;
  /**
   * Extra configuration for every Auth the suite creates, for example `trustProxy` when the
   * server sits behind one. The suite owns `storage`, `mailer`, `appUrl`, `clock`, `logger`,
   * `onEvent`, `session` and the password hasher; `http.trustedOrigins` is added to.
   */
  readonly config?: ContractAuthConfig;
  /**
   * Whether the server hands the handler the raw request body (default true). Set it to false
   * for a framework that parses bodies before the handler (Express behind `express.json()`):
   * the checks of malformed JSON, 413 and 415 then belong to the framework's parser and are
   * not registered.
   */
  readonly rawBody?: boolean;
}

const VARIANTS: readonly (readonly [string, ContractVariant])[] = [
  ['cookie strategy', { strategy: 'cookie' }],
  [
    'jwt strategy, refresh token in a cookie (HS256)',
    { strategy: 'jwt', transport: 'cookie', algorithm: 'HS256' },
  ],
  [
    'jwt strategy, refresh token in the body (EdDSA)',
    { strategy: 'jwt', transport: 'body', algorithm: 'EdDSA' },
  ],
];

/**
 * Registers vitest `describe`/`it` blocks that check an HTTP server against the HTTP contract
 * (`docs/http.md`: the Identity, Account, Second factor, Social sign-in, Passkeys and Magic
 * links routes) over real HTTP: every route,
 * status and body shape, the cookies' attributes, CSRF refusals, protocol errors
 * (400/404/405/413/415, never a 500), the default throttles (429 with `Retry-After`), a leak
 * scan of a whole lifecycle, and every response against the OpenAPI document of the contract
 * (status documented for its route, body matching its schema). It runs three times: the `cookie` strategy, and the `jwt` strategy
 * with the refresh token in a cookie (HS256) and in the body (EdDSA, with JWKS).
 *
 * For each, the suite creates an Auth (memory storage, memory mailer, fake clock, a cheap argon2id
 * hasher, `appUrl` `http://localhost:3000`) and calls `start(auth)`, which must serve the
 * handler of that Auth at `auth.options.http.basePath` on a loopback port and resolve to the
 * server's origin. Requests come from `fetch` with a cookie jar and `Origin:
 * http://localhost:3000`. The suite never sleeps: it moves the fake clock. Call it at the top
 * level of a test file; vitest must be installed.
 *
 * @example
 * ```ts
 * import { describeHttpContract } from '@portcullis/core/testing';
 * describeHttpContract('express', async (auth) => {
 *   const app = express().use(auth.options.http.basePath, portcullis(auth));
 *   const server = app.listen(0, '127.0.0.1');
 *   await once(server, 'listening');
 *   const { port } = server.address() as AddressInfo;
 *   return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
 * });
 * ```
 */
export function describeHttpContract(
  name: string,
  start: StartServer,
  options: HttpContractOptions = {},
): void {
  const setup = {
    ...(options.basePath === undefined ? {} : { basePath: options.basePath }),
    ...(options.config === undefined ? {} : { config: options.config }),
  };
  describe(`HTTP contract: ${name}`, () => {
    for (const [title, variant] of VARIANTS) {
      describe(title, () => {
        const ctx = useContract(start, variant, setup);
        describeIdentity(ctx);
        describeSessions(ctx);
        describeAccount(ctx);
        describePasswords(ctx);
        describeTwoFactor(ctx);
        describeThrottles(ctx);
        describeProtocol(ctx, { rawBody: options.rawBody ?? true });
        describeCookies(ctx);
        describeJwks(ctx);
        describeCors(ctx);
        describeOAuth(ctx);
        describePasswordless(ctx);
        describeAdmin(ctx);
        describeImpersonation(ctx);
        if (variant.strategy === 'cookie') describeCsrf(ctx);
        else describeJwt(ctx);
        describeLeakage(ctx);
        // Last: it reports on every exchange of the variant.
        describeOpenApi(ctx);
      });
    }
  });
}
