/**
 * Builds the OpenAPI 3.1 document of the HTTP contract from the valibot schemas the handler
 * validates with (`src/http/openapi/requests.ts`) and the response schemas
 * (`src/http/openapi/responses.ts`), over the operation table (`src/http/operations/`).
 *
 * Build time only: `@valibot/to-json-schema` is a devDependency of core. `scripts/openapi.ts`
 * writes the result to `src/http/openapi/document.json`, which is committed and shipped;
 * `test/http/openapi.test.ts` rebuilds it in memory and fails when the committed file differs.
 */
import { type ConversionConfig, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import {
  AUTH_ERROR_MESSAGES,
  AUTH_ERROR_STATUS,
  type AuthErrorCode,
} from '../src/errors/auth-error.js';
import { REQUEST_SCHEMAS } from '../src/http/openapi/requests.js';
import { errorCodes, RESPONSE_SCHEMAS } from '../src/http/openapi/responses.js';
import { OPERATIONS, type OperationId } from '../src/http/operations/index.js';
import { commonErrors, type OperationSpec } from '../src/http/operations/spec.js';

type Json = Record<string, unknown>;

const REF = (name: string) => `#/components/schemas/${name}`;

/**
 * Conversion of both sides. `draft-2020-12` is the dialect of OpenAPI 3.1. `trim` and custom
 * `check`s have no JSON Schema equivalent: they are left out (the JSON Schema is then a little
 * looser or, after a trim, a little stricter than the server, which still enforces them).
 */
const BASE: ConversionConfig = {
  target: 'draft-2020-12',
  overrideRef: ({ referenceId }) => REF(referenceId),
  overrideAction: ({ valibotAction, jsonSchema }) =>
    valibotAction.type === 'trim' || valibotAction.type === 'check' ? jsonSchema : undefined,
};

/**
 * Request bodies: `typeMode: 'input'` converts each pipe up to its first transformation, so a
 * field that the flow normalizes (`newEmail`, through `rawTransform`) is described as the client
 * sends it. Without it the converter throws on the transformation.
 */
const REQUEST_CONFIG: ConversionConfig = { ...BASE, typeMode: 'input' };

/** Response bodies have no transformation: the whole pipe is converted, and must convert. */
const RESPONSE_CONFIG: ConversionConfig = { ...BASE, typeMode: 'ignore' };

/** `/sessions/:id` → `/sessions/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** The document, without `servers` (the handler adds them from `appUrl` and the base path). */
export function buildOpenApiDocument(version: string): Json {
  const schemas = {
    ...toJsonSchemaDefs(REQUEST_SCHEMAS as Record<string, v.GenericSchema>, REQUEST_CONFIG),
    // A schema nested in another named one (`User` in `SessionResponse`) becomes a `$ref`.
    ...toJsonSchemaDefs(RESPONSE_SCHEMAS as Record<string, v.GenericSchema>, RESPONSE_CONFIG),
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const [id, op] of Object.entries(OPERATIONS) as [OperationId, OperationSpec][]) {
    const path = openApiPath(op.path);
    paths[path] ??= {};
    (paths[path] as Record<string, Json>)[op.method.toLowerCase()] = operation(id, op);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Portcullis HTTP API',
      version,
      description: [
        'The HTTP contract of `@portcullis/core/http`, mounted below a base path (default `/api/auth`).',
        'Bodies are JSON; `application/x-www-form-urlencoded` forms are accepted on the same routes.',
        'A trailing slash is accepted on every route. Every failure is `{"error": {"code", "message", "details"?}}`;',
        'callers branch on `code`. `429` carries `Retry-After` (seconds).',
        'Unknown routes answer `404 NOT_FOUND`, other methods of a known route `405 METHOD_NOT_ALLOWED` with `Allow`.',
        'Cookie names are the defaults; they are configurable (`http.cookies`).',
      ].join(' '),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'Identity', description: 'Register, verify, sign in and out, sessions, tokens.' },
      { name: 'Account', description: 'Profile, email and password changes, account deletion.' },
      { name: 'Second factor', description: 'TOTP, recovery codes, email and SMS codes, devices.' },
      { name: 'Document', description: 'This OpenAPI document.' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-portcullis.session',
          description:
            'Cookie strategy. State-changing requests also need `x-csrf-token` (from `GET /csrf`) and a trusted origin.',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'jwt strategy: the access token. Bearer requests skip the CSRF check.',
        },
        refreshCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Secure-portcullis.refresh',
          description: 'jwt strategy: the refresh token, scoped to `{base}/token/refresh`.',
        },
      },
      parameters: {
        CsrfToken: {
          name: 'x-csrf-token',
          in: 'header',
          required: false,
          description:
            'The double-submit CSRF token, equal to the CSRF cookie; required when the request is authenticated by the session cookie.',
          schema: { type: 'string' },
        },
      },
      headers: {
        RetryAfter: {
          description: 'Seconds until a retry may succeed.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}

function operation(operationId: OperationId, op: OperationSpec): Json {
  const out: Json = {
    operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description === undefined ? {} : { description: op.description }),
  };
  const parameters: Json[] = [];
  for (const [, name] of op.path.matchAll(/:([A-Za-z]+)/g)) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    });
  }
  for (const q of op.query ?? []) {
    parameters.push({
      name: q.name,
      in: 'query',
      required: q.required,
      description: q.description,
      schema: { type: 'string' },
    });
  }
  if (op.method !== 'GET' && op.auth === 'session') {
    parameters.push({ $ref: '#/components/parameters/CsrfToken' });
  }
  if (parameters.length > 0) out.parameters = parameters;
  if (op.auth === 'session') out.security = [{ sessionCookie: [] }, { bearerAuth: [] }];
  if (op.auth === 'refresh') out.security = [{ refreshCookie: [] }, {}];
  if (op.request !== undefined) {
    const schema = { $ref: REF(op.request.schema) };
    out.requestBody = {
      required: op.request.required,
      content: {
        'application/json': { schema },
        'application/x-www-form-urlencoded': { schema },
      },
    };
  }
  out.responses = responses(op);
  return out;
}

function responses(op: OperationSpec): Json {
  const out: Json = {};
  const { success } = op;
  out[String(success.status)] =
    success.status === 302
      ? {
          description: success.description,
          headers: {
            Location: { description: 'Where the browser goes.', schema: { type: 'string' } },
          },
        }
      : success.schema === undefined
        ? { description: success.description }
        : {
            description: success.description,
            content: { 'application/json': { schema: { $ref: REF(success.schema) } } },
          };
  if (op.alsoSuccess !== undefined) {
    out[String(op.alsoSuccess.status)] = {
      description: op.alsoSuccess.description,
      content: { 'application/json': { schema: { $ref: REF(op.alsoSuccess.schema) } } },
    };
  }
  const byStatus = new Map<number, AuthErrorCode[]>();
  for (const code of new Set([...op.errors, ...commonErrors(op)])) {
    const status = AUTH_ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    codes.sort();
    out[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${AUTH_ERROR_MESSAGES[code]}`).join('\n'),
      ...(status === 429
        ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
        : {}),
      content: {
        'application/json': { schema: errorSchema(codes as [AuthErrorCode, ...AuthErrorCode[]]) },
      },
    };
  }
  return out;
}

/**
 * The error body of one status of one operation: the contract's `ErrorBody`, with `code` one of
 * the codes this operation answers with this status.
 */
function errorSchema(codes: [AuthErrorCode, ...AuthErrorCode[]]): Json {
  const narrowed = toJsonSchema(errorCodes(codes), RESPONSE_CONFIG) as Json;
  delete narrowed.$schema;
  return { allOf: [{ $ref: REF('ErrorBody') }, narrowed] };
}
