import type { Mailer, MailMessage } from './types.js';

/** Options of {@link consoleMailer}. */
export interface ConsoleMailerOptions {
  /** Where each line goes. Default: standard error, so stdout stays the app's. */
  log?: (line: string) => void;
  /** Also print the HTML part. Default `false`: the text part has the same content and links. */
  includeHtml?: boolean;
}

/**
 * A mailer for development: it prints every mail, links, tokens and codes included, so you
 * can click through verification and reset flows without a mail server. That is its whole
 * job, and exactly why it must never be used in production: anyone who reads the logs could
 * take over any account. Use your provider's mailer there.
 *
 * @example
 * ```ts
 * createAuth({ mailer: consoleMailer(), ... })
 * ```
 */
export function consoleMailer(
  options: ConsoleMailerOptions = {},
): Mailer & { readonly developmentOnly: true } {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    // createAuth refuses a development mailer in production: it prints tokens.
    developmentOnly: true,
    async send(message: MailMessage): Promise<void> {
      const lines = [
        `--- mail (${message.kind}) ---`,
        `To: ${message.to}`,
        `Subject: ${message.subject}`,
        '',
        ...message.text.trimEnd().split('\n'),
      ];
      if (options.includeHtml === true) lines.push('', '--- html ---', ...message.html.split('\n'));
      lines.push('--- end of mail ---');
      for (const line of lines) log(line);
    },
  };
}
