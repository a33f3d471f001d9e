import { consoleMailer, type Mailer, type MailMessage } from '@portcullis/core';

/** A {@link Mailer} for development that prints every mail and keeps the latest ones. */
export interface DevMailer extends Mailer {
  /** Marks it for `createAuth`, which refuses it in production: mail would reach nobody. */
  readonly developmentOnly: true;
  /** The mails sent since the process started, oldest first (the latest 100). */
  readonly messages: readonly MailMessage[];
}

/**
 * Prints each mail to the console, links and tokens included, so you can follow the
 * verification and reset flows with curl; and keeps the latest 100 for tests. Anyone who reads
 * those logs can take over any account: it is for development only (`createApp` refuses it
 * in production, and so does `createAuth`).
 *
 * @param options.log - where lines go; default standard error
 */
export function devMailer(options: { log?: (line: string) => void } = {}): DevMailer {
  const printer = consoleMailer(options.log === undefined ? {} : { log: options.log });
  const messages: MailMessage[] = [];
  return {
    developmentOnly: true,
    get messages() {
      return [...messages];
    },
    async send(message) {
      messages.push(Object.freeze({ ...message }));
      if (messages.length > 100) messages.shift();
      await printer.send(message);
    },
  };
}
