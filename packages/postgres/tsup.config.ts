import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `portcullis-postgres` bin (its shebang is kept, the file made executable).
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // `migrate` finds the SQL files with import.meta.url, which the CJS build must provide.
  shims: true,
});
