/**
 * `/assets/webauthn/…`: `@simplewebauthn/browser` (MIT, no dependencies), its ES module build
 * as published, file by file. The client script imports `/assets/webauthn/index.js` only on
 * pages with a passkey button or form; the browser follows its relative imports, which stay
 * below that folder. Served from this server, like `/assets/qr.js`: no CDN, and the CSP keeps
 * `script-src 'self'`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/** The folder of the ES module build: the package exports `require` → `script/index.js`, beside `esm/`. */
const ESM_DIR = join(
  dirname(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser'))),
  'esm',
);

/** Every `.js` file of the build by its path below `/assets/webauthn/` (`methods/startAuthentication.js`). */
export const WEBAUTHN_MODULES: ReadonlyMap<string, string> = new Map(
  readdirSync(ESM_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => [file.split(sep).join('/'), readFileSync(join(ESM_DIR, file), 'utf8')]),
);
