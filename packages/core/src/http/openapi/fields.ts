/**
 * The served OpenAPI document of an app with its own user fields (docs/user-fields.md): the
 * committed document, with each field's JSON Schema (converted from its valibot schema, the one
 * the flows validate with) added to the user objects and to the request bodies that accept it.
 */
import * as v from 'valibot';
import type { ResolvedUserField } from '../../users/fields.js';
import type { JsonSchema, OpenApiDocument } from './document.js';

type Schema = { [key: string]: unknown };

/** Where each kind of field appears: response objects, and the requests that take it. */
const TARGETS = {
  /** Always present (`null` when unset). */
  responses: ['User', 'AdminUser'],
  /** `input: true` fields. */
  register: ['RegisterRequest'],
  /** `editable: true` fields, nullable (`null` clears). */
  profile: ['UpdateProfileRequest'],
  /** Every field, nullable. */
  admin: ['AdminUserPatchRequest', 'AdminCreateUserRequest'],
} as const;

let converter: Promise<typeof import('@valibot/to-json-schema')> | undefined;

/**
 * The JSON Schema of one field as a client sends it (`typeMode: 'input'`: a pipe stops before
 * its first transformation; custom checks, which JSON Schema cannot say, are left out and the
 * server still enforces them). A schema the converter cannot express becomes `{}` (any value),
 * with the field's name kept so clients still see it.
 */
async function fieldSchema(field: ResolvedUserField): Promise<JsonSchema> {
  converter ??= import('@valibot/to-json-schema');
  const { toJsonSchema } = await converter;
  try {
    const { $schema: _dialect, ...schema } = toJsonSchema(field.schema, {
      target: 'draft-2020-12',
      typeMode: 'input',
      errorMode: 'ignore',
    }) as Schema;
    return schema;
  } catch {
    return {};
  }
}

const nullable = (schema: JsonSchema): JsonSchema =>
  Object.keys(schema).length === 0 ? {} : { anyOf: [schema, { type: 'null' }] };

/**
 * `document` with the app's fields added (the committed document itself when there are none).
 * Computed once per handler: the fields do not change after `createAuth`.
 */
export async function documentWithFields(
  document: OpenApiDocument,
  fields: readonly ResolvedUserField[],
): Promise<OpenApiDocument> {
  if (fields.length === 0) return document;
  const converted = await Promise.all(fields.map(fieldSchema));
  const schemas: Record<string, JsonSchema> = { ...document.components.schemas };
  const extend = (
    names: readonly string[],
    pick: (field: ResolvedUserField) => boolean,
    shape: (schema: JsonSchema) => JsonSchema,
    required: (field: ResolvedUserField) => boolean,
  ) => {
    for (const name of names) {
      const target = schemas[name] as Schema | undefined;
      if (target === undefined) continue;
      const properties = { ...(target.properties as Schema | undefined) };
      const req = [...((target.required as string[] | undefined) ?? [])];
      fields.forEach((field, i) => {
        if (!pick(field)) return;
        properties[field.name] = shape(converted[i] as JsonSchema);
        if (required(field) && !req.includes(field.name)) req.push(field.name);
      });
      schemas[name] = { ...target, properties, required: req };
    }
  };
  extend(
    TARGETS.responses,
    () => true,
    nullable,
    () => true,
  );
  extend(
    TARGETS.register,
    (f) => f.input,
    (s) => s,
    (f) => !acceptsUndefined(f),
  );
  extend(
    TARGETS.profile,
    (f) => f.editable,
    nullable,
    () => false,
  );
  extend(
    TARGETS.admin,
    () => true,
    nullable,
    () => false,
  );
  return { ...document, components: { ...document.components, schemas } };
}

/** Whether the field's schema takes an absent value (`v.optional(…)`, `v.nullish(…)`). */
function acceptsUndefined(field: ResolvedUserField): boolean {
  return v.safeParse(field.schema, undefined).success;
}
