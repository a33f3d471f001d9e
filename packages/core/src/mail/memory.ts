import type { Mailer, MailKind, MailMessage } from './types.js';

/** Options of {@link memoryMailer}. */
export interface MemoryMailerOptions {
  /**
   * The app's base URL: {@link MemoryMailer.extractLink} returns the first link that starts
   * with it. Default: the first http(s) link of the mail.
   */
  appUrl?: string;
}

/** A {@link Mailer} that keeps every message in memory, with helpers for tests. */
export interface MemoryMailer extends Mailer {
  /** Every message sent since the last {@link MemoryMailer.clear}, oldest first. */
  readonly messages: readonly MailMessage[];
  /** The latest message, or the latest to `to` (case-insensitive); `undefined` when none. */
  last(to?: string): MailMessage | undefined;
  /** The latest message of `kind` to `to` (case-insensitive); `undefined` when none. */
  find(to: string, kind: MailKind): MailMessage | undefined;
  /** Forgets every message. */
  clear(): void;
  /** Makes the next `send` reject with `error` (to test `mail.failed`); it is not stored. */
  failNext(error?: Error): void;
  /** The first link to the app in the text part; `undefined` when there is none. */
  extractLink(message: MailMessage): string | undefined;
  /** The `token` query parameter of {@link MemoryMailer.extractLink}'s link, decoded. */
  extractToken(message: MailMessage): string | undefined;
}

const LINK = /https?:\/\/[^\s<>"']+/g;

/**
 * A mailer for tests: nothing leaves the process; read the inbox instead.
 *
 * @example
 * ```ts
 * const mailer = memoryMailer({ appUrl: 'https://app.test' });
 * // ... register ...
 * const token = mailer.extractToken(mailer.find('ada@example.com', 'verify-email')!);
 * ```
 */
export function memoryMailer(
  options: MemoryMailerOptions = {},
): MemoryMailer & { readonly developmentOnly: true } {
  let inbox: MailMessage[] = [];
  let failure: Error | undefined;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const latest = (match: (m: MailMessage) => boolean) => inbox.findLast(match);

  const extractLink = (message: MailMessage): string | undefined => {
    const links = message.text.match(LINK) ?? [];
    const base = options.appUrl?.replace(/\/+$/, '');
    return base === undefined ? links[0] : links.find((l) => l.startsWith(base));
  };

  return {
    // createAuth refuses it in production: mail would silently go nowhere.
    developmentOnly: true,
    get messages() {
      return Object.freeze([...inbox]);
    },
    async send(message) {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      // A copy: a caller that mutates its object later does not rewrite the inbox.
      inbox.push(Object.freeze({ ...message }));
    },
    last: (to) => latest((m) => to === undefined || same(m.to, to)),
    find: (to, kind) => latest((m) => m.kind === kind && same(m.to, to)),
    clear() {
      inbox = [];
    },
    failNext(error = new Error('memoryMailer: simulated send failure')) {
      failure = error;
    },
    extractLink,
    extractToken(message) {
      const link = extractLink(message);
      // Read the query by hand: in a hash-routed link (`/#/verify?token=`) URL puts it in `hash`.
      const match = link === undefined ? null : /[?&]token=([^&#]*)/.exec(link);
      return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    },
  };
}
