/**
 * `pnpm --filter @portcullis-examples/react-spa dev`: the notes API (examples/express-api) as
 * a child process on port 3001, and Vite's dev server on http://localhost:5173 in this one,
 * proxying /api to the API. Ctrl-C stops both; if the API dies, so does this.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const env = process.env;
const apiPort = Number(env.API_PORT ?? 3001);
const spaPort = 5173;
const apiDir = fileURLToPath(new URL('../../express-api/', import.meta.url));
const spaDir = fileURLToPath(new URL('..', import.meta.url));

// The API runs its own `start` script's command: tsx, with workspace packages from source.
const api: ChildProcess = spawn(
  process.execPath,
  ['--import', 'tsx', '--conditions=source', 'src/server.ts'],
  {
    cwd: apiDir,
    stdio: 'inherit',
    env: {
      ...env,
      PORT: String(apiPort),
      // Mailed links and the origin trusted to refresh: the page's, not the API's.
      APP_URL: env.APP_URL ?? `http://localhost:${spaPort}`,
      // Short-lived access tokens, so refreshes show up in the network panel within a minute.
      ACCESS_TOKEN_TTL_SECONDS: env.ACCESS_TOKEN_TTL_SECONDS ?? '60',
    },
  },
);

env.API_ORIGIN = `http://127.0.0.1:${apiPort}`; // read by vite.config.ts
const vite = await createServer({ root: spaDir, server: { port: spaPort } });
await vite.listen();
vite.printUrls();

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (api.exitCode === null) api.kill('SIGTERM');
  await vite.close();
  process.exit(code);
}
api.on('exit', (code) => {
  if (!stopping) console.error(`The API stopped (exit code ${code}); stopping Vite too.`);
  void stop(code ?? 1);
});
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
