/**
 * The parts of the OpenAPI document (as the app serves it at `{basePath}/openapi.json`) that
 * the fuzz reads: operations by method and path template, their request schemas and their
 * documented responses.
 */

/** A JSON Schema object of the document (draft 2020-12). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One documented response. */
export interface DocResponse {
  readonly description: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly content?: { readonly 'application/json'?: { readonly schema: JsonSchema } };
}

/** One operation of the document. */
export interface DocOperation {
  readonly operationId: string;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>>;
  };
  readonly responses: Readonly<Record<string, DocResponse>>;
}

/** The document, as far as the fuzz reads it. */
export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, DocOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> };
}

/** One operation with its method and path template (`/sessions/{id}`). */
export interface Operation {
  readonly method: string;
  readonly template: string;
  readonly spec: DocOperation;
  /** The request body's schema, `$ref` resolved; undefined when it takes no body. */
  readonly bodySchema: JsonSchema | undefined;
}

/** Path parameters as the router accepts them (`http/router.ts`); others are 404. */
export const PARAM = /^[A-Za-z0-9_-]{1,64}$/;

/** Every operation of the document, in its order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, spec] of Object.entries(item)) {
      const schema = spec.requestBody?.content['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        template,
        spec,
        bodySchema: schema === undefined ? undefined : resolveRef(document, schema),
      });
    }
  }
  return out;
}

/** A schema with a local `$ref` (`#/components/schemas/X`) replaced by its target. */
export function resolveRef(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  const target = document.components.schemas[name];
  if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
  return target;
}

/**
 * The path template a route path (below the base path) matches, with the handler's rules:
 * a trailing slash is accepted, a parameter must match {@link PARAM}.
 */
export function findTemplate(document: OpenApiDocument, route: string): string | undefined {
  const trimmed = route.length > 1 && route.endsWith('/') ? route.slice(0, -1) : route;
  const segments = trimmed.split('/');
  return Object.keys(document.paths).find((template) => {
    const parts = template.split('/');
    return (
      parts.length === segments.length &&
      parts.every((part, i) => {
        const segment = segments[i] as string;
        return part.startsWith('{') ? PARAM.test(segment) : part === segment;
      })
    );
  });
}
