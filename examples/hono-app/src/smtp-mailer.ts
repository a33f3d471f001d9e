import type { Mailer } from '@portcullis/core';
import nodemailer from 'nodemailer';

/** Options of {@link smtpMailer}. */
export interface SmtpMailerOptions {
  /** The SMTP server, e.g. `smtps://user:pass@smtp.example.com:465` or `smtp://localhost:1025`. */
  url: string;
  /** The sender, e.g. `Portcullis example <no-reply@example.com>`. */
  from: string;
}

/**
 * A Portcullis {@link Mailer} over SMTP with nodemailer. Portcullis renders every message;
 * this only hands it to the server. It never logs a message's content: links in it carry
 * one-time tokens. A refused message rejects, and Portcullis logs the failure (without the
 * content) and emits `mail.failed`.
 */
export function smtpMailer(options: SmtpMailerOptions): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
    close: () => transport.close(),
  };
}
