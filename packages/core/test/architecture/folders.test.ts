/**
 * The map of core (docs/architecture.md): its folders form no cycle, and each imports only
 * folders below it in {@link LAYERS}. A new folder must be placed in the list; an import that
 * goes up fails here with the file and the import that did it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Core's folders (and root files), lowest first: each may import only those before it. */
const LAYERS = [
  'errors',
  'time',
  'logging',
  'crypto',
  'storage',
  'flows',
  'mail',
  'sms',
  'users',
  'password',
  'events',
  'oauth',
  'config',
  'runtime',
  'abuse',
  'access-tokens',
  'link-tokens',
  'credentials',
  'sessions',
  'two-factor',
  'sign-in',
  'register',
  'account',
  'admin',
  'create-auth',
  'http',
  'index',
  'testing',
] as const;

/** Every `.ts` file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder (or root file, without extension) of a path under `src/`. */
function unitOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.length === 1 ? (parts[0] ?? '').replace(/\.(ts|js)$/, '') : (parts[0] ?? '');
}

/** Every relative import and re-export of core's sources, type-only ones included. */
function imports(): { from: string; to: string; file: string; spec: string }[] {
  return files(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/g)].map(
      (m) => {
        const spec = m[1] ?? '';
        return { from: unitOf(file), to: unitOf(resolve(dirname(file), spec)), file, spec };
      },
    );
  });
}

describe("core's folder graph", () => {
  const all = imports();

  it('finds the imports (the parser works)', () => {
    expect(all.length).toBeGreaterThan(500);
    expect(all.some((i) => i.from === 'sign-in' && i.to === 'two-factor')).toBe(true);
  });

  it('places every folder in the layer list', () => {
    const units = new Set(all.flatMap((i) => [i.from, i.to]));
    expect([...units].filter((u) => !(LAYERS as readonly string[]).includes(u))).toEqual([]);
  });

  it('imports only downwards: no folder imports one above it, so there is no cycle', () => {
    const rank = (u: string) => (LAYERS as readonly string[]).indexOf(u);
    const upward = all
      .filter((i) => i.from !== i.to && rank(i.to) > rank(i.from))
      .map((i) => `${relative(SRC, i.file)} imports ${i.spec} (${i.from} -> ${i.to})`);
    expect(upward).toEqual([]);
  });

  it('the HTTP layer reaches core only through Auth: no runtime, stores or flow internals', () => {
    const allowed = new Set(['errors', 'crypto', 'create-auth', 'http', 'users', 'sessions']);
    const reaching = all
      .filter((i) => i.from === 'http' && !allowed.has(i.to))
      // The OpenAPI document is derived from the flows' input schemas (data, not behaviour),
      // and routes name the input types of the Auth methods they call.
      .filter((i) => !relative(SRC, i.file).startsWith('http/openapi/'))
      // Address parsing shared with the configuration schema (pure functions over strings).
      .filter((i) => !i.spec.endsWith('/config/trust-proxy.js'))
      .filter((i) => !isTypeOnly(i.file, i.spec));
    expect(reaching.map((i) => `${relative(SRC, i.file)} imports ${i.spec}`)).toEqual([]);
    const texts = files(join(SRC, 'http')).map((f) => readFileSync(f, 'utf8'));
    expect(texts.filter((t) => /AuthRuntime|runtimeOf|\.storage\./.test(t))).toEqual([]);
  });
});

/** Whether the import of `spec` in `file` is `import type`. */
function isTypeOnly(file: string, spec: string): boolean {
  const text = readFileSync(file, 'utf8');
  const escaped = spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`import type [^;]*?from '${escaped}'`).test(text);
}
