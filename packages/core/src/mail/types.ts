/**
 * Every mail Portcullis sends. The set is closed: a mailer or a template can switch on it.
 * - `verify-email`: a link that confirms the address of a new account.
 * - `password-reset`: a link to choose a new password.
 * - `password-changed`: notice after a signed-in user changed the password.
 * - `password-reset-notice`: notice after the password was reset through a mailed link.
 * - `email-change-confirm`: a link, sent to the new address, that confirms the change.
 * - `email-change-notice`: notice to the old address that a change was asked for.
 * - `new-sign-in`: notice of a sign-in from a new device.
 * - `email-otp`: a one-time code (second factor by email).
 * - `register-existing`: someone tried to register with an address that has an account (the
 *   HTTP answer stays the same either way, so only the owner learns of it).
 * - `account-locked`: sign-in is paused after too many wrong passwords; says until when.
 * - `two-factor-reset`: an administrator turned the second factor off; the user enrolls again.
 * - `magic-link`: a sign-in link and the same request's 6-digit code (`magicLink`).
 * - `second-factor-locked`: the second factor is paused after too many wrong codes; says until
 *   when (someone who knows the password may be trying codes).
 * - `invitation`: an administrator made an account for the address; a link to choose a password
 *   (it also confirms the address). It does not name the administrator.
 * - `email-changed`: notice to the old address that an administrator changed the account's
 *   address.
 */
export type MailKind =
  | 'verify-email'
  | 'password-reset'
  | 'password-changed'
  | 'password-reset-notice'
  | 'email-change-confirm'
  | 'email-change-notice'
  | 'new-sign-in'
  | 'email-otp'
  | 'register-existing'
  | 'account-locked'
  | 'second-factor-locked'
  | 'magic-link'
  | 'two-factor-reset'
  | 'invitation'
  | 'email-changed';

/** Every {@link MailKind}, in a stable order. */
export const MAIL_KINDS: readonly MailKind[] = Object.freeze([
  'verify-email',
  'password-reset',
  'password-changed',
  'password-reset-notice',
  'email-change-confirm',
  'email-change-notice',
  'new-sign-in',
  'email-otp',
  'register-existing',
  'account-locked',
  'second-factor-locked',
  'magic-link',
  'two-factor-reset',
  'invitation',
  'email-changed',
]);

/**
 * One mail, rendered. `text` and `html` carry the same content; links and codes in them are
 * secrets for their recipient: a mailer sends them and never logs them (the console mailer,
 * for development only, is the exception).
 */
export interface MailMessage {
  /** Recipient address. */
  to: string;
  /** Subject line; one line (line breaks are removed when rendering). */
  subject: string;
  /** Plain-text body. */
  text: string;
  /** HTML body; self-contained (inline styles, no external images or fonts). */
  html: string;
  /** What the mail is for; lets a mailer pick a provider template or a stream. */
  kind: MailKind;
}

/**
 * How mail leaves the application: implement it over your provider (SMTP, an HTTP API).
 * Portcullis renders every message itself.
 */
export interface Mailer {
  /**
   * Sends one message. Rejects when the provider refused it; Portcullis then logs the failure
   * and emits `mail.failed`, and the HTTP answer stays generic (it never says whether a mail
   * went out). Must not log `text` or `html`: they hold tokens and codes.
   */
  send(message: MailMessage): Promise<void>;
}

/** Fields every mail's data has. */
export interface MailDataBase {
  /** The application's name, shown in the subject and body. */
  appName: string;
  /** The recipient's first name for the greeting; omitted: a greeting without a name. */
  firstName?: string | undefined;
}

/** Where and from what a security event came, for notices. Both may be unknown. */
export interface MailEventOrigin {
  /** When it happened. */
  at: Date;
  /** Client IP address, when known. */
  ip?: string | undefined;
  /** Client user agent, when known. */
  userAgent?: string | undefined;
}

/** A mail whose link carries a one-time token. */
export interface MailLinkData extends MailDataBase {
  /** The link with its token (see `buildLink`). */
  link: string;
  /** Minutes until the link expires. */
  expiresInMinutes: number;
}

/** A notice; `link` points where the user can secure the account (the reset-password page). */
export interface MailNoticeData extends MailDataBase, MailEventOrigin {
  /** A page of the app, without a token, for example `{appUrl}/reset-password`. */
  link: string;
}

/** The typed data of each {@link MailKind}. */
export interface MailData {
  'verify-email': MailLinkData;
  'password-reset': MailLinkData;
  'password-changed': MailNoticeData;
  'password-reset-notice': MailNoticeData;
  'email-change-confirm': MailLinkData & { /** The address being confirmed. */ newEmail: string };
  'email-change-notice': MailNoticeData & { /** The address asked for. */ newEmail: string };
  'new-sign-in': MailNoticeData;
  'email-otp': MailDataBase & {
    /** The one-time code. */
    code: string;
    /** Minutes until the code expires. */
    expiresInMinutes: number;
  };
  /** `link` points to the reset-password page, for an owner who forgot they had an account. */
  'register-existing': MailDataBase & { link: string };
  /** `at`, `ip` and `userAgent` are those of the failed attempt that set the lock. */
  'account-locked': MailNoticeData & {
    /** When sign-in works again. */
    until: Date;
    /** Failed attempts that set the lock. */
    failedAttempts: number;
  };
  /** `at` is when an administrator reset the second factor. */
  'two-factor-reset': MailNoticeData;
  /** A sign-in link, and a code for signing in on another device; both single use. */
  'magic-link': MailLinkData & {
    /** The 6-digit code. */
    code: string;
  };
  /** `at`, `ip` and `userAgent` are those of the wrong code that set the lock. */
  'second-factor-locked': MailNoticeData & {
    /** When codes are accepted again. */
    until: Date;
    /** Wrong codes that set the lock. */
    failedAttempts: number;
  };
  /** `link` lets the person choose a password (the reset-password page, by default). */
  invitation: MailLinkData;
  /**
   * Sent to the old address; no link (reset links now go to the new address). `at`, `ip` and
   * `userAgent` are those of the administrator's change.
   */
  'email-changed': MailDataBase &
    MailEventOrigin & {
      /** The account's new address. */
      newEmail: string;
    };
}
