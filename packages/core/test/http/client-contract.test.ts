/**
 * `@portcullis/client` depends on nothing, so what it knows of the contract is a copy: its
 * operations and error codes are generated from core (`scripts/client-contract.ts`), its user
 * type is written by hand. These tests read the client's source and fail when either drifts
 * (the user type's value types are compared by `tsc -p packages/core`).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  OPERATIONS as CLIENT_OPERATIONS,
  SERVER_ERROR_CODES,
} from '../../../client/src/contract.js';
import { isServerErrorCode } from '../../../client/src/errors.js';
import type { PublicUser as ClientPublicUser } from '../../../client/src/types.js';
import { buildClientContract, CLIENT_CONTRACT_PATH } from '../../scripts/client-contract.js';
import { AUTH_ERROR_STATUS, type AuthErrorCode } from '../../src/errors/auth-error.js';
import { OPENAPI_DOCUMENT } from '../../src/http/openapi/document.js';
import { SENT_ERROR_CODES } from '../../src/http/openapi/responses.js';
import { OPERATIONS } from '../../src/http/operations/index.js';
import { type PublicUser, toPublicUser } from '../../src/users/public.js';

const REGENERATE = 'pnpm --filter @portcullis/core run openapi';

describe('client: operations and error codes generated from core', () => {
  it('has the method, path and auth of every operation of the table, and no other', () => {
    const fromTable = Object.fromEntries(
      Object.entries(OPERATIONS).map(([id, { method, path, auth }]) => [
        id,
        { method, path, auth },
      ]),
    );
    expect(CLIENT_OPERATIONS).toEqual(fromTable);
  });

  it('is the committed file (packages/client/src/contract.ts), so it cannot drift', () => {
    const committed = readFileSync(
      new URL(`../../${CLIENT_CONTRACT_PATH}`, import.meta.url),
      'utf8',
    );
    expect(
      committed,
      `${CLIENT_CONTRACT_PATH} is stale; regenerate it with \`${REGENERATE}\``,
    ).toBe(buildClientContract());
  });

  it("knows exactly the codes core's HTTP answers carry (the document's ErrorBody)", () => {
    expect(SERVER_ERROR_CODES).toEqual(SENT_ERROR_CODES);
    const errorBody = OPENAPI_DOCUMENT.components.schemas.ErrorBody as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };
    expect([...SERVER_ERROR_CODES].sort()).toEqual(
      [...errorBody.properties.error.properties.code.enum].sort(),
    );
  });

  it('accepts every code an answer can carry and turns the others into INVALID_RESPONSE', () => {
    for (const code of Object.keys(AUTH_ERROR_STATUS) as AuthErrorCode[]) {
      const sent = (SENT_ERROR_CODES as readonly string[]).includes(code);
      expect(isServerErrorCode(code), code).toBe(sent);
    }
    // Never sent: a bad configuration fails startup. CONFLICT is sent by the admin API (an
    // email that belongs to another user).
    expect(isServerErrorCode('CONFLICT')).toBe(true);
    expect(isServerErrorCode('CONFIG_INVALID')).toBe(false);
  });
});

/** The members of an interface of the client's source, read with the compiler's parser. */
function interfaceMembers(file: URL, name: string): { name: string; optional: boolean }[] {
  const source = ts.createSourceFile(
    file.pathname,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.ES2022,
  );
  const found = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (found === undefined) throw new Error(`no interface ${name} in ${file.pathname}`);
  return found.members.map((m) => ({
    name: m.name?.getText(source) ?? '',
    optional: m.questionToken !== undefined,
  }));
}

const clientUser = interfaceMembers(
  new URL('../../../client/src/types.ts', import.meta.url),
  'PublicUser',
);
const keys = (members: readonly { name: string }[]) => members.map((m) => m.name).sort();

describe("client: its user type is core's public user", () => {
  it('has the keys of the OpenAPI User schema, all required', () => {
    const schema = OPENAPI_DOCUMENT.components.schemas.User as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(keys(clientUser)).toEqual(Object.keys(schema.properties).sort());
    expect(clientUser.filter((m) => m.optional)).toEqual([]);
    expect([...schema.required].sort()).toEqual(keys(clientUser));
  });

  it('has the keys toPublicUser gives a stored user', () => {
    const shown = toPublicUser({
      id: 'u1',
      email: 'ada@example.com',
      emailNormalized: 'ada@example.com',
      metadata: {},
      disabled: false,
      credentialGeneration: 1,
      createdAt: 0,
      updatedAt: 0,
    });
    expect(keys(clientUser)).toEqual(Object.keys(shown).sort());
  });

  it('has the same types (type level: `tsc -p packages/core` fails on drift)', () => {
    expectTypeOf<ClientPublicUser>().toEqualTypeOf<PublicUser>();
  });
});
