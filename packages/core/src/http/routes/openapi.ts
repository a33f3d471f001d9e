import { servedDocument } from '../openapi/document.js';
import { json } from '../respond.js';
import type { Route } from '../router.js';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the contract, with `servers` set to
 * `appUrl` + the base path. Registered only when `http.openapi` is on (default: outside
 * production), so a production API does not describe itself unless asked to.
 */
export const openApiRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    handle: async (ctx) => {
      const { appUrl, http } = ctx.config;
      return json(200, servedDocument(`${appUrl}${http.basePath}`));
    },
  },
];
