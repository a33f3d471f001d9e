// Writes src/http/openapi/document.json, the OpenAPI 3.1 document of the HTTP contract, from
// the valibot schemas (see openapi-build.ts). The file is committed: core has no runtime
// dependency on @valibot/to-json-schema.
//
//   pnpm --filter @portcullis/core run openapi          writes the file
//   pnpm --filter @portcullis/core run openapi --check  exits 1 when the committed file is stale
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './openapi-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src', 'http', 'openapi', 'document.json');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
};
const text = `${JSON.stringify(buildOpenApiDocument(version), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = readFileSync(target, 'utf8');
  if (JSON.stringify(JSON.parse(committed)) !== JSON.stringify(JSON.parse(text))) {
    console.error(`${target} is stale: run \`pnpm --filter @portcullis/core run openapi\``);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  // The committed file is in Biome's JSON style, like every other file of the repository.
  execFileSync('pnpm', ['exec', 'biome', 'format', '--write', target], { stdio: 'inherit' });
  console.log(`wrote ${target}`);
}
