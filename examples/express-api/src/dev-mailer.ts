import { consoleMailer, type Mailer, type MailMessage } from '@portcullis/core';
import type { RequestHandler } from 'express';

/** One mail as the dev mailer keeps it. */
export interface StoredMail extends MailMessage {
  /** Position since the process started, from 1. */
  readonly id: number;
  /** When it was "sent", ISO 8601. */
  readonly sentAt: string;
}

/** A {@link Mailer} for development that prints every mail and keeps the latest ones. */
export interface DevMailer extends Mailer {
  /** Marks it for `createAuth`, which refuses it in production: mail would reach nobody. */
  readonly developmentOnly: true;
  /** The mails sent since the process started, oldest first (the latest 100). */
  readonly messages: readonly StoredMail[];
}

/**
 * Prints each mail to the console, links and tokens included, so you can follow the
 * verification and reset flows with curl; and keeps the latest 100 for tests and the dev
 * mailbox. Anyone who reads those logs can take over any account: it is for development only
 * (`createApp` refuses it in production, and so does `createAuth`).
 *
 * @param options.log - where lines go; default standard error
 */
export function devMailer(options: { log?: (line: string) => void } = {}): DevMailer {
  const printer = consoleMailer(options.log === undefined ? {} : { log: options.log });
  const messages: StoredMail[] = [];
  let next = 1;
  return {
    developmentOnly: true,
    get messages() {
      return [...messages];
    },
    async send(message) {
      messages.push(Object.freeze({ ...message, id: next++, sentAt: new Date().toISOString() }));
      if (messages.length > 100) messages.shift();
      await printer.send(message);
    },
  };
}

/**
 * `GET /api/dev/mailbox`: the dev mailer's mails, newest first, as
 * `{"mails": [{"id","to","subject","text","kind","sentAt"}]}`, for a front end's development
 * mailbox page (the React example's `/dev/mailbox`). The links in them hold one-time tokens:
 * `createApp` mounts it only outside production, with the dev mailer.
 */
export function devMailbox(mailer: DevMailer): RequestHandler {
  return (req, res, next) => {
    // Only to a loopback Host: a page on another site that rebinds its DNS name to 127.0.0.1
    // would otherwise read the mailbox (and its sign-in links) from the developer's browser.
    if (!isLoopbackHost(req.headers.host)) {
      next();
      return;
    }
    res.set('cache-control', 'no-store');
    res.json({
      mails: mailer.messages
        .map(({ id, to, subject, text, kind, sentAt }) => ({ id, to, subject, text, kind, sentAt }))
        .reverse(),
    });
  };
}

/**
 * Whether a `Host` header names this machine: `localhost` (or a `*.localhost` name, which
 * resolves to loopback by RFC 6761), `127.0.0.0/8` or `[::1]`, with any port.
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
