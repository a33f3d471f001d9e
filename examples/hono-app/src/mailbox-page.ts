import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { DevMailbox, StoredMail } from './dev-mailbox.js';
import type { Html } from './layout.js';
import { type PageEnv, render } from './viewer.js';

/**
 * `/dev/mailbox`: the mails the app "sent", newest first, with clickable links. Mounted only
 * outside production (see `createApp`): the links carry one-time tokens for any account.
 */
export function mailboxPage(app: Hono<PageEnv>, mailbox: DevMailbox): void {
  app.get('/dev/mailbox', (c, next) => {
    // Only to a loopback Host (DNS rebinding: another site's name pointed at 127.0.0.1).
    if (!isLoopbackHost(c.req.header('host'))) return next();
    const mails = mailbox.list();
    return render(
      c,
      'Dev mailbox',
      html`<p>No SMTP server is configured (<code>SMTP_URL</code>), so mails land here instead.
          This page exists only in development.</p>
        ${mails.length === 0 ? html`<p>No mail yet.</p>` : mails.map(mailView)}`,
    );
  });
}

function mailView(mail: StoredMail) {
  return html`<article class="mail" data-kind="${mail.kind}" data-to="${mail.to}">
    <header>
      <strong>${mail.subject}</strong><br />
      <small>To ${mail.to} · ${mail.sentAt.toISOString().slice(0, 19).replace('T', ' ')} UTC</small>
    </header>
    <pre>${linkify(mail.text)}</pre>
  </article>`;
}

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

/** The text part, escaped by `html`, with its http(s) links made clickable. */
function linkify(text: string): Html[] {
  const parts: Html[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(html`${text.slice(last, match.index)}`, html`<a href="${match[0]}">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return parts;
}

/**
 * Whether a `Host` header names this machine: `localhost` (or a `*.localhost` name), an
 * address in `127.0.0.0/8`, or `[::1]`, with any port.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}
