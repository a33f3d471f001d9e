import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    storage: 'src/storage/index.ts',
    crypto: 'src/crypto/index.ts',
    password: 'src/password/index.ts',
    'two-factor': 'src/two-factor/index.ts',
    users: 'src/users/index.ts',
    mail: 'src/mail/index.ts',
    http: 'src/http/index.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // import.meta.url in the CJS output (the argon2 worker resolves hash-wasm from it).
  shims: true,
  splitting: true,
  treeshake: true,
});
