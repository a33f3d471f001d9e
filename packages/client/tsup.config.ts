import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Browsers and Node.js 20 alike: no Node built-ins are imported, so the output is neutral.
  target: 'es2022',
  platform: 'neutral',
});
