// Writes the two files derived from the operation table (src/http/operations/):
// - src/http/openapi/document.json, the OpenAPI 3.1 document of the HTTP contract, from the
//   valibot schemas (see openapi-build.ts). Committed: core has no runtime dependency on
//   @valibot/to-json-schema.
// - ../client/src/contract.ts, the client's method, path and auth of each operation and its
//   error codes (see client-contract.ts). Committed: the client depends on nothing.
//
//   pnpm --filter @portcullis/core run openapi          writes the files
//   pnpm --filter @portcullis/core run openapi --check  exits 1 when a committed file is stale
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClientContract, CLIENT_CONTRACT_PATH } from './client-contract.js';
import { buildOpenApiDocument } from './openapi-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const documentPath = join(root, 'src', 'http', 'openapi', 'document.json');
const contractPath = join(root, CLIENT_CONTRACT_PATH);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
};
const document = `${JSON.stringify(buildOpenApiDocument(version), null, 2)}\n`;
const contract = buildClientContract();

if (process.argv.includes('--check')) {
  const stale = [
    JSON.stringify(JSON.parse(readFileSync(documentPath, 'utf8'))) !==
    JSON.stringify(JSON.parse(document))
      ? documentPath
      : undefined,
    readFileSync(contractPath, 'utf8') !== contract ? contractPath : undefined,
  ].filter((path) => path !== undefined);
  for (const path of stale) {
    console.error(`${path} is stale: run \`pnpm --filter @portcullis/core run openapi\``);
  }
  if (stale.length > 0) process.exit(1);
} else {
  writeFileSync(documentPath, document);
  // The committed file is in Biome's JSON style, like every other file of the repository.
  execFileSync('pnpm', ['exec', 'biome', 'format', '--write', documentPath], { stdio: 'inherit' });
  console.log(`wrote ${documentPath}`);
  // Already in Biome's style: the test compares the text as it is.
  writeFileSync(contractPath, contract);
  console.log(`wrote ${contractPath}`);
}
