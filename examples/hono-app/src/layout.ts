import { ADMIN_ROLE, type PublicUser } from '@portcullis/core';
import { html } from 'hono/html';
import { ADMIN_NOTICES } from './admin-notices.js';

/** A fragment of HTML built with Hono's `html` helper (values inside are escaped). */
export type Html = ReturnType<typeof html>;

/**
 * Messages shown after a redirect, by key. Pages take `?notice=<key>`, never a message text,
 * so nobody can craft a link that makes the app say something it does not say.
 */
const NOTICES = {
  verified: 'Your email address is confirmed. You can sign in now.',
  'signed-out': 'You are signed out.',
  'signed-out-everywhere': 'Every session of your account is signed out.',
  'profile-saved': 'Your profile is saved.',
  'password-changed': 'Your password is changed. Your other sessions were signed out.',
  'session-revoked': 'That session is signed out.',
  'email-sent':
    'We sent a confirmation link to the new address. The change happens once you follow it.',
  'email-changed': 'Your email address is changed.',
  'password-reset':
    'Your password is reset and every session was signed out. Sign in with the new one.',
  'account-deleted': 'Your account and everything tied to it are deleted.',
  reauthenticated: 'Thanks, you can go on.',
  'two-factor-on': 'Two-factor authentication is on: signing in now asks for a code too.',
  'two-factor-off':
    'Two-factor authentication is off. Your recovery codes and trusted devices are gone.',
  'recovery-codes-replaced': 'Your new recovery codes are active; the old ones no longer work.',
  'device-revoked': 'That device is no longer trusted: it asks for a code at the next sign-in.',
  'phone-added': 'Your phone number is confirmed: sign-in can now text you a code.',
  'account-unlinked': 'That account is unlinked: it no longer signs you in here.',
  'passkey-added': 'Your passkey is added: you can sign in with it now.',
  'passkey-renamed': 'Your passkey is renamed.',
  'passkey-removed': 'That passkey is deleted: it no longer signs you in here.',
  ...ADMIN_NOTICES,
} as const;

/** The key of a notice (`?notice=`). */
export type NoticeKey = keyof typeof NOTICES;

/** What every page shows around its content. */
export interface PageFrame {
  /** The `<title>` and the first heading. */
  title: string;
  /** The signed-in user, for the navigation; `undefined` when signed out. */
  user: PublicUser | undefined;
  /** The `?notice=` of the request, shown above the content when it names a known notice. */
  notice: string | undefined;
  /** Whether the development mailbox exists (a link in the navigation). */
  devMailbox: boolean;
  /**
   * The impersonation that the viewer's session is (`viewer.ts`), shown as a banner above
   * everything with its Stop button; `undefined` for a session of the user's own.
   */
  impersonation: Impersonation | undefined;
}

/**
 * A session an admin opened as the user (`auth.admin.users.impersonate`, docs/impersonation.md),
 * as the banner names it.
 */
export interface Impersonation {
  /** The email of the admin behind it (their id when they are gone). */
  readonly adminEmail: string;
  /** When it ends (ISO): the session's expiry, one hour after it started whatever it does. */
  readonly endsAt: string;
}

/** The whole HTML document of a page. */
export function layout(frame: PageFrame, content: Html): Html {
  const notice =
    frame.notice !== undefined && Object.hasOwn(NOTICES, frame.notice)
      ? NOTICES[frame.notice as NoticeKey]
      : undefined;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${frame.title} · Portcullis example</title>
    <link rel="stylesheet" href="/assets/app.css" />
    <script src="/assets/app.js" defer></script>
  </head>
  <body>
    ${impersonationBanner(frame)}
    <header>
      <a class="brand" href="/">Portcullis example</a>
      <nav>${navigation(frame)}</nav>
    </header>
    <main>
      ${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}
      <h1>${frame.title}</h1>
      ${content}
    </main>
  </body>
</html>`;
}

function navigation(frame: PageFrame): Html {
  const mailbox = frame.devMailbox ? html`<a href="/dev/mailbox">Dev mailbox</a>` : '';
  if (frame.user === undefined) {
    return html`<a href="/sign-in">Sign in</a> <a href="/sign-up">Sign up</a> ${mailbox}`;
  }
  if (frame.impersonation !== undefined) {
    // Core refuses an impersonation every admin operation, so no Admin link; and signing out
    // of it ends it and makes the admin themselves again (core's `POST /logout`), which is
    // the banner's Stop under a misleading name.
    return html`<a href="/profile">Profile</a> <a href="/sessions">Sessions</a> ${mailbox}`;
  }
  // Only for admins; the admin pages check the role again (`admin-view.ts`).
  const admin = frame.user.roles.includes(ADMIN_ROLE) ? html`<a href="/admin/users">Admin</a>` : '';
  return html`<a href="/profile">Profile</a> <a href="/sessions">Sessions</a> ${admin} ${mailbox}
    <form class="inline" data-api="POST /logout" data-next="/?notice=signed-out">
      <button type="submit" class="link">Sign out</button>
    </form>`;
}

/**
 * The banner of an impersonation, above everything on every page: who is signed in as whom,
 * until when, and Stop. Stop posts to core's `POST /admin/impersonation/stop` (CSRF header by
 * `/assets/app.js`), which ends the session and puts the admin's own back into the cookie;
 * the admin lands on the user's admin page.
 */
function impersonationBanner(frame: PageFrame): Html | string {
  const { user, impersonation } = frame;
  if (user === undefined || impersonation === undefined) return '';
  return html`<div class="impersonation" role="region" aria-label="Impersonation" data-testid="impersonation">
    <p>
      You are signed in as <strong>${user.email}</strong> by
      <strong>${impersonation.adminEmail}</strong> (impersonation, ends at
      ${when(impersonation.endsAt)}).
    </p>
    ${apiForm({
      api: 'POST /admin/impersonation/stop',
      next: `/admin/users/${encodeURIComponent(user.id)}?notice=admin-impersonation-stopped`,
      submit: 'Stop',
      className: 'inline',
    })}
  </div>`;
}

/**
 * A form that the client script (`/assets/app.js`) sends to the HTTP API as JSON: `api` is
 * `"METHOD /path"` below `/api/auth`; on success the browser goes to `next`, or, with `after`,
 * stays and hands the answer to that handler of the script (`assets-two-factor.ts`).
 */
export function apiForm(
  options: {
    api: string;
    /** Where to go on success. Default: this page again. */
    next?: string;
    submit: string;
    /** Send empty fields as `null` (clears a profile field) instead of `""`. */
    emptyAsNull?: boolean;
    /** Extra class names of the form. */
    className?: string;
    /** A handler of the client script that shows the answer on this page (`data-after`). */
    after?: string;
    /** Send the pending sign-in's challenge along (`data-challenge`; the second factor). */
    challenge?: boolean;
    /** More `data-*` attributes, by name without `data-`; names are ours, values escaped. */
    data?: Record<string, string>;
  },
  fields: Html | string = '',
): Html {
  const data = Object.entries(options.data ?? {}).map(
    ([name, value]) => html` data-${name}="${value}"`,
  );
  return html`<form
    data-api="${options.api}"
    ${options.next === undefined ? '' : html`data-next="${options.next}"`}
    ${options.after === undefined ? '' : html`data-after="${options.after}"`}
    ${options.challenge === true ? html`data-challenge` : ''}
    ${options.emptyAsNull === true ? html`data-empty-null` : ''}
    ${options.className === undefined ? '' : html`class="${options.className}"`}
    ${data}
  >
    ${fields}
    <p class="error" role="alert" data-role="error" hidden></p>
    <button type="submit">${options.submit}</button>
  </form>`;
}

/** A labelled input. */
export function field(options: {
  label: string;
  name: string;
  type?: string;
  value?: string | null;
  autocomplete?: string;
  /** `numeric` for digit codes: phones show a keypad. */
  inputmode?: string;
  required?: boolean;
  hint?: string;
}): Html {
  const id = `field-${options.name}`;
  return html`<label for="${id}">${options.label}</label>
    <input
      id="${id}"
      name="${options.name}"
      type="${options.type ?? 'text'}"
      value="${options.value ?? ''}"
      ${options.autocomplete === undefined ? '' : html`autocomplete="${options.autocomplete}"`}
      ${options.inputmode === undefined ? '' : html`inputmode="${options.inputmode}"`}
      ${options.required === true ? html`required` : ''}
    />
    ${options.hint === undefined ? '' : html`<small>${options.hint}</small>`}`;
}

/** A labelled multi-line text box. */
export function textArea(options: {
  label: string;
  name: string;
  value?: string | null;
  /** The most characters the browser lets one type (the server checks again). */
  maxLength?: number;
  /** Visible lines. Default 3. */
  rows?: number;
  hint?: string;
}): Html {
  const id = `field-${options.name}`;
  return html`<label for="${id}">${options.label}</label>
    <textarea
      id="${id}"
      name="${options.name}"
      rows="${options.rows ?? 3}"
      ${options.maxLength === undefined ? '' : html`maxlength="${options.maxLength}"`}
    >${options.value ?? ''}</textarea>
    ${options.hint === undefined ? '' : html`<small>${options.hint}</small>`}`;
}

/**
 * A local path to go to after a form, from a `?next=` parameter: only same-origin paths
 * (`/profile`), never `//evil.example` or `https://…` (an open redirect helps phishing).
 */
export function localPath(next: string | undefined, fallback: string): string {
  if (next === undefined || !next.startsWith('/')) return fallback;
  // Parsed as a browser would (`/\evil.example` is `//evil.example` to it), then kept only
  // when it stays on this origin.
  const base = 'http://app.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  return url.origin === base ? url.pathname + url.search : fallback;
}

/** A date for people: `2026-01-31 14:05 UTC`. */
export function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * The form of a page that a mailed link opens: the token in a hidden field, posted when the
 * person clicks (opening the link alone changes nothing: mail scanners open links).
 */
export function tokenForm(
  token: string | undefined,
  options: { api: string; next: string; submit: string },
): Html {
  if (token === undefined || token === '') {
    return html`<p class="error">This link has no token. Open the link from the mail as it is.</p>`;
  }
  return html`<p>One moment…</p>
    ${apiForm(options, html`<input type="hidden" name="token" value="${token}" />`)}`;
}
