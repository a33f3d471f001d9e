/**
 * Starts the notes API: `pnpm --filter @portcullis-examples/express-api start`. Reads the
 * environment, opens the storage, builds the app with `createApp` and listens. See README.md
 * for the variables.
 */
import { randomBytes } from 'node:crypto';
import { isAuthError } from '@portcullis/core';
import { createApp, type NotesApi } from './app.js';
import { type Backends, openBackends } from './backends.js';

const env = process.env;
const production = env.NODE_ENV === 'production';
const port = Number(env.PORT ?? 3001);
const appUrl = env.APP_URL ?? `http://localhost:${port}`;
const accessTokenTtlSeconds = env.ACCESS_TOKEN_TTL_SECONDS
  ? Number(env.ACCESS_TOKEN_TTL_SECONDS)
  : undefined;

let secret = env.AUTH_SECRET || undefined;
if (secret === undefined && !production) {
  secret = randomBytes(32).toString('base64url');
  console.warn(
    'WARNING: AUTH_SECRET is not set, so this process uses a random development secret: ' +
      'tokens stop working when it restarts. Set one of at least 32 bytes, for example\n' +
      `  AUTH_SECRET=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")`,
  );
}

let backends: Backends;
try {
  backends = await openBackends({
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    onConnectionError: (backend, error) =>
      console.warn(`${backend} connection error (it reconnects by itself): ${error.message}`),
  });
} catch (error) {
  console.error(
    `Cannot start: the storage did not open: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (env.DATABASE_URL) console.error('Check DATABASE_URL, or unset it to keep data in memory.');
  if (env.REDIS_URL) console.error('Check REDIS_URL, or unset it.');
  process.exit(1);
}

let api: NotesApi;
try {
  api = createApp({
    backends,
    appUrl,
    secret,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
    production,
    accessTokenTtlSeconds,
  });
} catch (error) {
  // In production a missing AUTH_SECRET or SMTP_URL stops the API here, on purpose.
  console.error(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  if (isAuthError(error) && production) {
    if (!env.AUTH_SECRET) console.error('Set AUTH_SECRET (at least 32 random bytes).');
    if (!env.SMTP_URL)
      console.error('Set SMTP_URL: the development mailer is refused in production.');
  }
  await backends.close();
  process.exit(1);
}

if (api.devMailer !== undefined) {
  console.warn(
    'WARNING: SMTP_URL is not set: mails, with their links and tokens, are printed here. ' +
      'Development only.',
  );
}

// Loopback by default: the dev mailbox holds sign-in links. Set HOST=0.0.0.0 to expose it.
const host = env.HOST ?? '127.0.0.1';
const server = api.app.listen(port, host, () => {
  console.log(`Portcullis notes API listening on http://${host}:${port} (APP_URL ${appUrl})`);
  for (const line of backends.description) console.log(`Storage: ${line}`);
});

const stop = () => {
  server.close();
  void api
    .close()
    .then(() => backends.close())
    .finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
