import {
  consoleSmsSender,
  createAuth,
  type Logger,
  type Mailer,
  type OAuthProvider,
  type SmsSender,
} from '@portcullis/core';
import type { Storage } from '@portcullis/core/storage';
import { portcullis, requireAuth } from '@portcullis/hono';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { ADMIN_SCRIPT } from './admin-assets.js';
import { CLIENT_SCRIPT, QR_MODULE, STYLESHEET } from './assets.js';
import { WEBAUTHN_MODULES } from './assets-webauthn.js';
import { type DevMailbox, devMailbox } from './dev-mailbox.js';
import { mailboxPage } from './mailbox-page.js';
import { accountPages } from './pages-account.js';
import { adminPages } from './pages-admin.js';
import { challengePage } from './pages-challenge.js';
import { magicLinkPages } from './pages-magic-link.js';
import { publicPages } from './pages-public.js';
import { nameProviderOnRefusals, SIGN_IN_PATH } from './pages-social.js';
import { twoFactorPages } from './pages-two-factor.js';
import { smtpMailer } from './smtp-mailer.js';
import { type AppAuth, USER_FIELDS } from './user-fields.js';
import { allowPageImages, loadViewer, notFound, type PageEnv } from './viewer.js';

/** Options of {@link createApp}; `server.ts` fills them from the environment. */
export interface AppOptions {
  /**
   * Where Portcullis keeps its data. `server.ts` passes the one `openStorage` (`src/storage.ts`)
   * opened: PGlite under `.data/`, or PostgreSQL and Redis. A test may pass in-memory PGlite or
   * `memoryStorage()`. `close()` leaves it open: its owner closes it, after.
   */
  storage: Storage;
  /** Where browsers reach the app (`APP_URL`): links in mails, and the trusted origin for CSRF. */
  appUrl: string;
  /**
   * At least 32 bytes of secret (`AUTH_SECRET`). Omitted: in production `createAuth` refuses
   * to start; elsewhere it uses a random one for this process, with a warning.
   */
  secret?: string | undefined;
  /** An SMTP server (`SMTP_URL`). Omitted: mails go to the dev mailbox, refused in production. */
  smtpUrl?: string | undefined;
  /** The sender of mails sent over SMTP (`MAIL_FROM`). Default `Portcullis example <no-reply@localhost>`. */
  mailFrom?: string | undefined;
  /** Production rules (secret and SMTP required, no dev mailbox). Always on under `NODE_ENV=production`. */
  production?: boolean | undefined;
  /** Where Portcullis logs. Default: the console. */
  logger?: Logger | undefined;
  /**
   * How text messages with second-factor codes leave. Omitted: outside production, core's
   * `consoleSmsSender()`, which prints them in the server's console; in production, none, and
   * text-message codes are not offered.
   */
  sms?: SmsSender | undefined;
  /**
   * Social sign-in providers (`google(...)`, `github(...)`, `oidcProvider(...)` of core), in the
   * order of their buttons. `server.ts` builds them from the environment with `socialProviders`
   * (`src/social.ts`). Omitted or empty: no social sign-in, and no button anywhere.
   */
  oauth?: readonly OAuthProvider[] | undefined;
}

/** What {@link createApp} returns. */
export interface PortcullisExample {
  /** The Hono app: pass `app.fetch` to a server. */
  readonly app: Hono<PageEnv>;
  /** The Portcullis instance behind it; its users carry the app's own fields (`user-fields.ts`). */
  readonly auth: AppAuth;
  /** The dev mailbox, when mails are not sent over SMTP. */
  readonly mailbox: DevMailbox | undefined;
  /** Stops the password hashing workers and the SMTP connection pool (not the storage). */
  close(): Promise<void>;
}

/**
 * The main example: a server-rendered web app on Hono whose pages call the Portcullis HTTP API
 * mounted at `/api/auth`.
 *
 * @throws AuthError `CONFIG_INVALID` from `createAuth`; in production also without a secret
 *   or without `smtpUrl` (the development mailer is refused there).
 */
export function createApp(options: AppOptions): PortcullisExample {
  // As in createAuth: NODE_ENV=production cannot be switched off by `production: false`.
  const production = options.production === true || process.env.NODE_ENV === 'production';
  const mail = chooseMailer(options);
  // createAuth refuses the console sender in production: anyone reading the logs would pass.
  const sms = options.sms ?? (production ? undefined : consoleSmsSender());
  const oauth = options.oauth ?? [];

  const auth = createAuth({
    storage: options.storage,
    mailer: mail.mailer,
    appUrl: options.appUrl,
    appName: 'Portcullis example',
    production,
    ...(sms === undefined ? {} : { sms }),
    // Sign-in by a mailed link or 6-digit code, for accounts that exist (no account creation):
    // the link opens `/magic-link` of this app. Passkeys are on by core's default.
    magicLink: {},
    // The app's own user fields (`user-fields.ts`): a `bio` (sign-up and profile) and a
    // `profilePicture` URL (profile), validated by their valibot schemas and stored in the
    // user's metadata; every user object has both (`null` when unset), typed in `AppAuth`.
    user: { fields: USER_FIELDS },
    // The callback sends challenges and refusals to this app's sign-in page (core's default
    // is /login).
    ...(oauth.length === 0 ? {} : { oauth: { providers: oauth, signInPath: SIGN_IN_PATH } }),
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });

  const app = new Hono<PageEnv>();
  // Before secureHeaders, so it runs after it: the profile adds its picture's origin to the
  // img-src below, for that page alone.
  app.use(allowPageImages());
  app.use(
    secureHeaders({
      // No inline script or style anywhere: the client code is /assets/app.js.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // data: for the QR code of a TOTP key, drawn in the browser as an SVG data URL. The
        // profile page adds the origin of the user's picture (`allowPageImages`).
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      // Pages reached from mails carry a token in their URL: never send it on as a Referer.
      referrerPolicy: 'no-referrer',
    }),
  );

  const providers = auth.oauth.providers();
  const { basePath } = auth.options.http;
  // A refused social sign-in lands on the sign-in page; this names the provider there.
  if (providers.length > 0) {
    app.use(`${basePath}/oauth/:provider/callback`, nameProviderOnRefusals(providers));
  }

  // The whole HTTP API of Portcullis (sign-up, sign-in, sessions, account…).
  app.route(basePath, portcullis(auth));

  // The app's own API: `requireAuth` lets only signed-in requests through.
  app.get('/api/me', requireAuth(auth), async (c) => c.json({ user: await c.get('auth').user() }));

  app.get('/assets/app.js', (c) =>
    c.body(CLIENT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/assets/qr.js', (c) =>
    c.body(QR_MODULE, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  // @simplewebauthn/browser's ES modules, file by file (`/assets/webauthn/index.js` and the
  // files it imports); anything else below that folder is a 404.
  app.get('/assets/webauthn/*', (c, next) => {
    const source = WEBAUTHN_MODULES.get(c.req.path.slice('/assets/webauthn/'.length));
    if (source === undefined) return next();
    return c.body(source, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
  // The admin pages' script (`admin-assets.ts`): sends their action forms.
  app.get('/assets/admin.js', (c) =>
    c.body(ADMIN_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/assets/app.css', (c) =>
    c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8' }),
  );

  app.use(loadViewer(auth, { devMailbox: mail.mailbox !== undefined }));
  const { magicLink } = auth.options;
  publicPages(app, {
    basePath,
    providers,
    passkeys: auth.options.passkeys !== false,
    magicLink: magicLink !== undefined,
  });
  if (magicLink !== undefined) {
    magicLinkPages(app, { tokenTtlSeconds: magicLink.tokenTtlSeconds });
  }
  challengePage(app);
  accountPages(app, auth, { sms: sms !== undefined, providers });
  // Users with the `admin` role only (`pages-admin.ts`).
  adminPages(app, auth);
  twoFactorPages(app, { sms: sms !== undefined });
  // Never in production: its links would let anyone who opens it into any account.
  if (mail.mailbox !== undefined && !production) mailboxPage(app, mail.mailbox);
  app.notFound(notFound);

  return {
    app,
    auth,
    mailbox: mail.mailbox,
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
    return { mailer: smtp as Mailer, mailbox: undefined, close: () => smtp.close() };
  }
  const mailbox = devMailbox();
  return { mailer: mailbox as Mailer, mailbox, close: () => {} };
}
