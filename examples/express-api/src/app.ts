import {
  type Auth,
  type AuthEventListener,
  type Clock,
  consoleLogger,
  createAuth,
  type Logger,
  type Mailer,
  type OAuthProvider,
} from '@portcullis/core';
import { portcullis, requireAuth } from '@portcullis/express';
import express, { type Express } from 'express';
import { type Backends, memoryBackends } from './backends.js';
import { type DevMailer, devMailbox, devMailer } from './dev-mailer.js';
import { errorHandler, sendError } from './errors.js';
import { type NoteStore, notesRouter } from './notes.js';
import { smtpMailer } from './smtp-mailer.js';

/** Options of {@link createApp}; `server.ts` fills them from the environment. */
export interface AppOptions {
  /**
   * Where Portcullis and the notes live: what `openBackends` (`src/backends.ts`) opened from
   * `DATABASE_URL` and `REDIS_URL`. Default: everything in memory. `close()` leaves it open:
   * its owner closes it, after.
   */
  backends?: Backends | undefined;
  /**
   * The front end's base URL (`APP_URL`): mailed links point there, and it is the origin
   * trusted to call `POST /api/auth/token/refresh` with the refresh cookie.
   */
  appUrl: string;
  /**
   * At least 32 bytes of secret (`AUTH_SECRET`); access tokens are signed with a key derived
   * from it. Omitted: in production `createAuth` refuses to start; elsewhere it uses a random
   * one for this process, with a warning.
   */
  secret?: string | undefined;
  /** An SMTP server (`SMTP_URL`). Omitted: the dev mailer prints mails; refused in production. */
  smtpUrl?: string | undefined;
  /** The sender of mails sent over SMTP (`MAIL_FROM`). Default `Portcullis example <no-reply@localhost>`. */
  mailFrom?: string | undefined;
  /** Production rules (secret and SMTP required). Always on under `NODE_ENV=production`. */
  production?: boolean | undefined;
  /** Where Portcullis and the app log. Default: the console. */
  logger?: Logger | undefined;
  /** Where the dev mailer prints mails. Default: standard error. */
  devMailLog?: ((line: string) => void) | undefined;
  /**
   * Lifetime of access tokens, seconds (`ACCESS_TOKEN_TTL_SECONDS`). Default 900 (15 min).
   * Shorter lets you watch a front end refresh; the refresh token lives as long as the session.
   */
  accessTokenTtlSeconds?: number | undefined;
  /** Portcullis's clock. Default: the system clock. Tests pass one they can move forward. */
  clock?: Clock | undefined;
  /** One more listener for Portcullis's events (tests count them). */
  onEvent?: AuthEventListener | undefined;
  /**
   * Social sign-in providers (`google(...)`, `github(...)`, `oidcProvider(...)`; docs/oauth.md).
   * Default none. The SPA starts a sign-in with `client.signInWith(id)`.
   */
  oauth?: readonly OAuthProvider[] | undefined;
}

/** What {@link createApp} returns. */
export interface NotesApi {
  /** The Express app: `app.listen(port)`. */
  readonly app: Express;
  /** The Portcullis instance behind it. */
  readonly auth: Auth;
  /** The dev mailer, when mails are not sent over SMTP. */
  readonly devMailer: DevMailer | undefined;
  /** The notes. */
  readonly notes: NoteStore;
  /** Stops the password hashing workers and the SMTP connection pool (not the backends). */
  close(): Promise<void>;
}

/**
 * A JSON API on Express 5 in the `jwt` strategy: the Portcullis routes at `/api/auth`, and
 * notes per user at `/api/notes` behind `requireAuth` (`Authorization: Bearer <access token>`).
 *
 * @throws AuthError `CONFIG_INVALID` from `createAuth`; in production also without a secret
 *   or without `smtpUrl` (the development mailer is refused there).
 */
export function createApp(options: AppOptions): NotesApi {
  // As in createAuth: NODE_ENV=production cannot be switched off by `production: false`.
  const production = options.production === true || process.env.NODE_ENV === 'production';
  const logger = options.logger ?? consoleLogger();
  const mail = chooseMailer(options);
  const { storage, notes } = options.backends ?? memoryBackends();
  const removeNotesOf = notes.removeUser;
  const listeners: AuthEventListener[] = [];
  // A deleted account takes its notes with it. In PostgreSQL the notes table's foreign key
  // does that (ON DELETE CASCADE, in the deletion's transaction). Notes in memory have no such
  // thing, so this listener deletes them: best-effort, an error here is logged, not retried.
  if (removeNotesOf !== undefined) {
    listeners.push(async (event) => {
      if (event.type === 'user.deleted' && event.userId !== undefined) {
        await removeNotesOf(event.userId);
      }
    });
  }
  if (options.onEvent !== undefined) listeners.push(options.onEvent);

  const auth = createAuth({
    storage,
    mailer: mail.mailer,
    appUrl: options.appUrl,
    appName: 'Portcullis notes',
    production,
    logger,
    session: {
      strategy: 'jwt',
      // Notes are private: a token of a session that signed out, was revoked or whose account
      // was deleted must stop at once, not when it expires. `requireAuth` then reads the
      // session and user of every request (one round trip); without it, it trusts the token's
      // claims alone (docs/jwt.md, "Protecting routes").
      accessToken: {
        checkSession: true,
        ...(options.accessTokenTtlSeconds === undefined
          ? {}
          : { ttlSeconds: options.accessTokenTtlSeconds }),
      },
    },
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(listeners.length === 0 ? {} : { onEvent: listeners }),
    ...(options.oauth === undefined || options.oauth.length === 0
      ? {}
      : { oauth: { providers: options.oauth } }),
    // Sign-in by a mailed link or code (docs/magic-links.md): a mobile app's passwordless path.
    magicLink: {},
  });

  const app = express();
  app.disable('x-powered-by');
  // Portcullis first, before any body parser: it reads and limits bodies itself.
  app.use(auth.options.http.basePath, portcullis(auth));
  app.use('/api/notes', requireAuth(auth), notesRouter(notes));
  // The dev mailer's mails as JSON, for the single-page app's mailbox page. Only with the dev
  // mailer, which createAuth refuses in production: the links in there take over accounts.
  if (mail.devMailer !== undefined && !production) {
    app.get('/api/dev/mailbox', devMailbox(mail.devMailer));
  }
  app.use((_req, res) => sendError(res, 'NOT_FOUND'));
  app.use(errorHandler((message) => logger.error(message)));

  return {
    app,
    auth,
    devMailer: mail.devMailer,
    notes,
    async close() {
      await auth.close();
      mail.close();
    },
  };
}

/**
 * SMTP when configured, else the development mailer, which `createAuth` refuses in production
 * (`CONFIG_INVALID` on `mailer`, listed with any other problem such as a missing secret).
 */
function chooseMailer(options: AppOptions) {
  if (options.smtpUrl !== undefined && options.smtpUrl !== '') {
    const smtp = smtpMailer({
      url: options.smtpUrl,
      from: options.mailFrom ?? 'Portcullis example <no-reply@localhost>',
    });
    return { mailer: smtp as Mailer, devMailer: undefined, close: () => smtp.close() };
  }
  const dev = devMailer(options.devMailLog === undefined ? {} : { log: options.devMailLog });
  return { mailer: dev as Mailer, devMailer: dev, close: () => {} };
}
