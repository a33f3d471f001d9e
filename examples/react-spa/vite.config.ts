import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Where `pnpm dev` runs the notes API (`scripts/dev.ts`); the dev server proxies `/api` there. */
const API_ORIGIN = process.env.API_ORIGIN ?? 'http://127.0.0.1:3001';

export default defineConfig({
  plugins: [react()],
  // Workspace packages resolve to their TypeScript sources (`source` export condition), as in
  // the rest of the monorepo: no build of @portcullis/client needed first.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    port: 5173,
    strictPort: true,
    // One origin for the browser: the page, the auth routes and the notes. The refresh cookie is
    // SameSite=Strict and scoped to /api/auth/token/refresh, and the API trusts only APP_URL's
    // origin, so the proxy keeps the browser's Origin and Cookie headers as they are.
    proxy: { '/api': { target: API_ORIGIN } },
  },
});
