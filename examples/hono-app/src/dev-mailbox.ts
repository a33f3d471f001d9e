import type { Mailer, MailMessage } from '@portcullis/core';

/** One mail as the development mailbox keeps it. */
export interface StoredMail extends MailMessage {
  /** Position in the mailbox, from 1. */
  readonly id: number;
  /** When it was "sent". */
  readonly sentAt: Date;
}

/** A {@link Mailer} that keeps mails in memory for the `/dev/mailbox` page. */
export interface DevMailbox extends Mailer {
  /** Marks it for `createAuth`, which refuses it in production: mail would reach nobody. */
  readonly developmentOnly: true;
  /** Every mail sent since the process started, newest first (at most {@link MAILBOX_SIZE}). */
  list(): readonly StoredMail[];
}

/** How many mails the mailbox keeps; older ones fall out. */
export const MAILBOX_SIZE = 200;

/**
 * The development mailbox: instead of sending mail, it keeps each message in memory so the
 * `/dev/mailbox` page can show it with clickable links. Those links hold one-time tokens, so
 * anyone who can open that page can take over any account: it exists only outside
 * production, where `createApp` neither creates it nor mounts the page.
 */
export function devMailbox(): DevMailbox {
  const mails: StoredMail[] = [];
  let next = 1;
  return {
    developmentOnly: true,
    async send(message) {
      mails.unshift(Object.freeze({ ...message, id: next++, sentAt: new Date() }));
      mails.length = Math.min(mails.length, MAILBOX_SIZE);
    },
    list: () => [...mails],
  };
}
