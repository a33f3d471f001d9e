/**
 * Starts the main example: `pnpm start` at the root of the repository. Reads the environment,
 * opens the storage, builds the app with `createApp` and listens. See README.md for the
 * variables.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { isAuthError, type OAuthProvider } from '@portcullis/core';
import { createApp, type PortcullisExample } from './app.js';
import { isInsecureLoopback, SocialConfigError, socialProviders } from './social.js';
import { type AppStorage, openStorage } from './storage.js';

const env = process.env;
const production = env.NODE_ENV === 'production';
const port = Number(env.PORT ?? 3000);
const appUrl = env.APP_URL ?? `http://localhost:${port}`;
/** Without DATABASE_URL: PGlite keeps its files here, `examples/hono-app/.data/pglite` (gitignored). */
const PGLITE_DIR = fileURLToPath(new URL('../.data/pglite', import.meta.url));

/**
 * Development only: a secret generated once and kept beside the PGlite data (0600), so the
 * accounts saved there stay usable across restarts (sessions survive, encrypted data decrypts).
 * Production never gets here: it requires AUTH_SECRET.
 */
function developmentSecret(): string {
  const file = fileURLToPath(new URL('../.data/dev-secret', import.meta.url));
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const created = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${created}\n`, { mode: 0o600 });
  return created;
}

// Social sign-in from OIDC_*, GITHUB_* and GOOGLE_* (README.md): none configured, none offered.
let oauth: OAuthProvider[];
try {
  oauth = socialProviders(env, production);
} catch (error) {
  if (!(error instanceof SocialConfigError)) throw error;
  console.error(`Cannot start: ${error.message}`);
  process.exit(1);
}

let secret = env.AUTH_SECRET || undefined;
if (secret === undefined && !production) {
  secret = developmentSecret();
  console.warn(
    'WARNING: AUTH_SECRET is not set, so this example uses a development secret kept in ' +
      'examples/hono-app/.data/dev-secret. Never do this in production: set one of at least ' +
      '32 bytes, for example\n' +
      `  AUTH_SECRET=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")`,
  );
}

// Listen first: a second `pnpm start` on the same port stops here, before it opens the PGlite
// directory that the first one is using. Requests before the app is ready get a 503.
let example: PortcullisExample | undefined;
// Loopback by default: the dev mailbox holds sign-in links. Set HOST=0.0.0.0 to expose it.
const hostname = env.HOST ?? '127.0.0.1';
const server = serve({
  fetch: (request, bindings) =>
    example === undefined
      ? new Response('Starting, try again in a second.', {
          status: 503,
          headers: { 'retry-after': '1' },
        })
      : example.app.fetch(request, bindings),
  port,
  hostname,
});
try {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Cannot start: port ${port} on ${hostname} is in use (is the example already running?). ` +
          'Stop the other process, or set PORT.'
      : `Cannot listen on ${hostname}:${port}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

let storage: AppStorage;
try {
  storage = await openStorage({
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    pgliteDir: PGLITE_DIR,
    onConnectionError: (backend, error) =>
      console.warn(`${backend} connection error (it reconnects by itself): ${error.message}`),
  });
} catch (error) {
  console.error(
    `Cannot start: the storage did not open: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (env.DATABASE_URL) console.error('Check DATABASE_URL, or unset it to use embedded PGlite.');
  if (env.REDIS_URL)
    console.error('Check REDIS_URL, or unset it to keep sessions in the database.');
  process.exit(1);
}

try {
  example = createApp({
    storage: storage.storage,
    appUrl,
    secret,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
    production,
    oauth,
  });
} catch (error) {
  // In production a missing AUTH_SECRET or SMTP_URL stops the app here, on purpose.
  console.error(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  if (isAuthError(error) && production) {
    if (!env.AUTH_SECRET) console.error('Set AUTH_SECRET (at least 32 random bytes).');
    if (!env.SMTP_URL)
      console.error('Set SMTP_URL: the development mailer is refused in production.');
    if (env.OIDC_ISSUER && isInsecureLoopback(env.OIDC_ISSUER.trim())) {
      console.error(
        `OIDC_ISSUER is ${env.OIDC_ISSUER}: production needs an https:// issuer. An http:// ` +
          'issuer on localhost (a test provider) is accepted in development only.',
      );
    }
  }
  await storage.close();
  process.exit(1);
}

const { passwordBackend } = await example.auth.ready();
console.log(`Portcullis example listening on port ${port}: open ${appUrl}`);
for (const line of storage.description) console.log(`Storage: ${line}`);
console.log(
  example.mailbox === undefined
    ? 'Mail goes out over SMTP_URL.'
    : `No SMTP_URL: mails land in the dev mailbox, ${appUrl}/dev/mailbox`,
);
if (!production)
  console.log('Text messages with second-factor codes are printed here (development).');
console.log(`Password hashing: argon2id on ${passwordBackend}.`);
const basePath = example.auth.options.http.basePath;
for (const { id, name } of example.auth.oauth.providers()) {
  console.log(
    `Social sign-in: ${name}; its redirect URI, to register at the provider: ${appUrl}${basePath}/oauth/${id}/callback`,
  );
}

const running = example;
const stop = () => {
  server.close();
  void running
    .close()
    .then(() => storage.close())
    .finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
