import type { ResolvedUserField } from '../../users/fields.js';
import { OPENAPI_DOCUMENT, type OpenApiDocument, servedDocument } from '../openapi/document.js';
import { documentWithFields } from '../openapi/fields.js';
import { json } from '../respond.js';
import type { Handlers } from '../router.js';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the contract, with `servers` set to
 * `appUrl` + the base path, and the app's own user fields (`user.fields`) in the user objects
 * and the request bodies that take them. Routed only when `http.openapi` is on (the default outside
 * production; `handler.ts` leaves it out otherwise), so a production API does not describe
 * itself unless asked to.
 */
export const openApiHandlers = {
  getOpenApiDocument: async (ctx) => {
    const { appUrl, http, user } = ctx.config;
    const document = await withFields(user.fields);
    return json(200, servedDocument(`${appUrl}${http.basePath}`, document));
  },
} satisfies Handlers;

/** The document with the app's fields, made once per field list (one per `createAuth`). */
const made = new WeakMap<readonly ResolvedUserField[], Promise<OpenApiDocument>>();

function withFields(fields: readonly ResolvedUserField[]): Promise<OpenApiDocument> {
  let document = made.get(fields);
  if (document === undefined) {
    document = documentWithFields(OPENAPI_DOCUMENT, fields);
    made.set(fields, document);
  }
  return document;
}
