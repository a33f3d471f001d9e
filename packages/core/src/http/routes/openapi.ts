import { servedDocument } from '../openapi/document.js';
import { json } from '../respond.js';
import type { Handlers } from '../router.js';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the contract, with `servers` set to
 * `appUrl` + the base path. Routed only when `http.openapi` is on (the default outside
 * production; `handler.ts` leaves it out otherwise), so a production API does not describe
 * itself unless asked to.
 */
export const openApiHandlers = {
  getOpenApiDocument: async (ctx) => {
    const { appUrl, http } = ctx.config;
    return json(200, servedDocument(`${appUrl}${http.basePath}`));
  },
} satisfies Handlers;
