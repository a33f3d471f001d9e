/**
 * Starts the main example: `pnpm start` at the root of the repository. Reads the environment,
 * builds the app with `createApp` and listens. See README.md for the variables.
 */
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { isAuthError } from '@portcullis/core';
import { createApp, type PortcullisExample } from './app.js';

const env = process.env;
const production = env.NODE_ENV === 'production';
const port = Number(env.PORT ?? 3000);
const appUrl = env.APP_URL ?? `http://localhost:${port}`;

for (const name of ['DATABASE_URL', 'REDIS_URL'] as const) {
  if (env[name]) {
    console.error(
      `${name} is set, but this example does not support it yet: it keeps everything in memory ` +
        'until the PostgreSQL and Redis storage packages exist. Unset it to start.',
    );
    process.exit(1);
  }
}

let secret = env.AUTH_SECRET || undefined;
if (secret === undefined && !production) {
  secret = randomBytes(32).toString('base64url');
  console.warn(
    'WARNING: AUTH_SECRET is not set, so this process uses a random development secret: ' +
      'sessions end when it restarts. Set one of at least 32 bytes, for example\n' +
      `  AUTH_SECRET=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")`,
  );
}

let example: PortcullisExample;
try {
  example = createApp({
    appUrl,
    secret,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
    production,
  });
} catch (error) {
  // In production a missing AUTH_SECRET or SMTP_URL stops the app here, on purpose.
  console.error(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  if (isAuthError(error) && production) {
    if (!env.AUTH_SECRET) console.error('Set AUTH_SECRET (at least 32 random bytes).');
    if (!env.SMTP_URL)
      console.error('Set SMTP_URL: the development mailer is refused in production.');
  }
  process.exit(1);
}

const { passwordBackend } = await example.auth.ready();
// Loopback by default: the dev mailbox holds sign-in links. Set HOST=0.0.0.0 to expose it.
const hostname = env.HOST ?? '127.0.0.1';
const server = serve({ fetch: example.app.fetch, port, hostname }, (info) => {
  console.log(`Portcullis example listening on port ${info.port}: open ${appUrl}`);
  console.log(
    example.mailbox === undefined
      ? 'Mail goes out over SMTP_URL.'
      : `No SMTP_URL: mails land in the dev mailbox, ${appUrl}/dev/mailbox`,
  );
  console.log(`Password hashing: argon2id on ${passwordBackend}.`);
});

const stop = () => {
  server.close();
  void example.close().finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
