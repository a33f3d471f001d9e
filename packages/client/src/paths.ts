import { OPERATIONS, type OperationId } from './contract.js';

/**
 * The path of an operation below the base path, from the generated table (`contract.ts`), its
 * `:name` segments replaced by the URL-encoded `params`.
 *
 * @throws TypeError when a parameter of the path is missing from `params`.
 */
export function operationPath(
  id: OperationId,
  params: Readonly<Record<string, string>> = {},
): string {
  return OPERATIONS[id].path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${id}: missing path parameter "${name}"`);
    return encodeURIComponent(value);
  });
}
