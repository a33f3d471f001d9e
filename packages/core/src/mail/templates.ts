import { formatMailDate, type MailBody } from './layout.js';
import type { MailData, MailEventOrigin, MailKind, MailNoticeData } from './types.js';

/** A default template: the subject and one body that renders as text and as HTML. */
export interface DefaultTemplate<D> {
  subject(data: D): string;
  body(data: D): MailBody;
}

/** Default templates, by kind. */
export type DefaultTemplates = { readonly [K in MailKind]: DefaultTemplate<MailData[K]> };

function origin(o: MailEventOrigin): string {
  // A user agent is attacker-chosen and unbounded; cap it so a mail stays readable.
  const agent = o.userAgent?.slice(0, 200);
  const from = [o.ip && `IP address ${o.ip}`, agent && `“${agent}”`].filter(Boolean).join(', ');
  return `${formatMailDate(o.at)}${from ? ` (${from})` : ''}`;
}

const NOT_YOU = 'If it was not you, reset your password now; that signs out every device:';

function notice(d: MailNoticeData, intro: string, ifYou: string): MailBody {
  return {
    firstName: d.firstName,
    intro: [intro, ifYou, NOT_YOU],
    action: { label: 'Reset your password', url: d.link },
    outro: [],
    signature: d.appName,
  };
}

const ignore = (what: string) => `If you did not ask for this, ignore this email: ${what}`;

/** A lifetime in minutes as a reader says it: `45 minutes`, `36 hours`, `7 days`. */
function lifetime(minutes: number): string {
  const [n, unit] =
    minutes % 1440 === 0
      ? [minutes / 1440, 'day']
      : minutes % 60 === 0
        ? [minutes / 60, 'hour']
        : [minutes, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The built-in wording of every mail. Overridable per kind through `MailTemplates`. */
export const DEFAULT_TEMPLATES: DefaultTemplates = {
  'verify-email': {
    subject: (d) => `Confirm your email address for ${d.appName}`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [`Confirm your email address to finish creating your ${d.appName} account.`],
      action: { label: 'Confirm email address', url: d.link },
      outro: [
        `This link expires in ${d.expiresInMinutes} minutes and works once.`,
        ignore('no account is created without this confirmation.'),
      ],
      signature: d.appName,
    }),
  },
  'password-reset': {
    subject: (d) => `Reset your ${d.appName} password`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [`Someone asked to reset the password of your ${d.appName} account.`],
      action: { label: 'Choose a new password', url: d.link },
      outro: [
        `This link expires in ${d.expiresInMinutes} minutes and works once.`,
        ignore('your password stays as it is.'),
      ],
      signature: d.appName,
    }),
  },
  'password-changed': {
    subject: (d) => `Your ${d.appName} password was changed`,
    body: (d) =>
      notice(
        d,
        `The password of your ${d.appName} account was changed on ${origin(d)}.`,
        'If this was you, there is nothing to do. Your other devices were signed out.',
      ),
  },
  'two-factor-reset': {
    subject: (d) => `The two-step sign-in of your ${d.appName} account was reset`,
    body: (d) =>
      notice(
        d,
        `An administrator of ${d.appName} turned off the two-step sign-in of your account on ${origin(d)}. Your devices were signed out.`,
        'If you asked for this, sign in and turn it on again from your settings.',
      ),
  },
  'password-reset-notice': {
    subject: (d) => `Your ${d.appName} password was reset`,
    body: (d) =>
      notice(
        d,
        `The password of your ${d.appName} account was reset on ${origin(d)}.`,
        'If this was you, there is nothing to do. Every device was signed out.',
      ),
  },
  'email-change-confirm': {
    subject: (d) => `Confirm your new email address for ${d.appName}`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [`Confirm that ${d.newEmail} is the new email address of your ${d.appName} account.`],
      action: { label: 'Confirm new address', url: d.link },
      outro: [
        `This link expires in ${d.expiresInMinutes} minutes and works once.`,
        ignore('the address of the account stays as it is.'),
      ],
      signature: d.appName,
    }),
  },
  'email-change-notice': {
    subject: (d) => `Your ${d.appName} email address is being changed`,
    body: (d) =>
      notice(
        d,
        `On ${origin(d)}, someone asked to change the email address of your ${d.appName} ` +
          `account to ${d.newEmail}. The change happens once the new address is confirmed.`,
        'If this was you, there is nothing to do.',
      ),
  },
  'new-sign-in': {
    subject: (d) => `New sign-in to your ${d.appName} account`,
    body: (d) =>
      notice(
        d,
        `Your ${d.appName} account was signed in to on ${origin(d)}.`,
        'If this was you, there is nothing to do.',
      ),
  },
  'email-otp': {
    subject: (d) => `Your ${d.appName} sign-in code`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [`Enter this code to finish signing in to ${d.appName}:`],
      code: d.code,
      outro: [
        `The code expires in ${d.expiresInMinutes} minutes. Never share it with anyone.`,
        'If you are not signing in, someone knows your password: change it now.',
      ],
      signature: d.appName,
    }),
  },
  'magic-link': {
    subject: (d) => `Sign in to ${d.appName}`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [
        `Use this link to sign in to ${d.appName}, or enter the code on the device where you asked for it:`,
      ],
      action: { label: `Sign in to ${d.appName}`, url: d.link },
      code: d.code,
      outro: [
        `The link and the code expire in ${d.expiresInMinutes} minutes and work once. Never share them with anyone.`,
        ignore('nobody can sign in without this link or code.'),
      ],
      signature: d.appName,
    }),
  },
  'register-existing': {
    subject: (d) => `Someone tried to sign up to ${d.appName} with your email address`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [
        `Someone tried to create a ${d.appName} account with this email address, which ` +
          'already has one. No new account was created.',
        'If it was you, sign in instead; if you forgot your password, reset it:',
      ],
      action: { label: 'Reset your password', url: d.link },
      outro: ['If it was not you, ignore this email: nothing about your account changed.'],
      signature: d.appName,
    }),
  },
  'account-locked': {
    subject: (d) => `Sign-in to your ${d.appName} account is paused`,
    body: (d) =>
      notice(
        d,
        `After ${d.failedAttempts} wrong passwords, the latest on ${origin(d)}, sign-in to ` +
          `your ${d.appName} account is paused until ${formatMailDate(d.until)}.`,
        'If this was you, wait until then, or reset your password, which lifts the pause.',
      ),
  },
  invitation: {
    subject: (d) => `You are invited to ${d.appName}`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [
        `An account on ${d.appName} was made for this email address.`,
        'Choose a password to start using it:',
      ],
      action: { label: 'Choose your password', url: d.link },
      outro: [
        `This link expires in ${lifetime(d.expiresInMinutes)} and works once.`,
        ignore('nobody can sign in with a password until one is chosen with this link.'),
      ],
      signature: d.appName,
    }),
  },
  'email-changed': {
    subject: (d) => `The email address of your ${d.appName} account was changed`,
    body: (d) => ({
      firstName: d.firstName,
      intro: [
        `An administrator of ${d.appName} changed the email address of your account to ` +
          `${d.newEmail} on ${origin(d)}.`,
        'Mail about the account, including password reset links, now goes to the new address, ' +
          'and your devices were signed out.',
      ],
      outro: [`If you did not expect this, contact the administrators of ${d.appName}.`],
      signature: d.appName,
    }),
  },
  'second-factor-locked': {
    subject: (d) => `Two-step sign-in to your ${d.appName} account is paused`,
    body: (d) =>
      notice(
        d,
        `After ${d.failedAttempts} wrong codes, the latest on ${origin(d)}, codes for your ` +
          `${d.appName} account are refused until ${formatMailDate(d.until)}.`,
        'Wrong codes come after a correct password. If they were not yours, someone knows ' +
          'your password: change it now.',
      ),
  },
};
