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
  /**
   * {@link MemoryMailer.find}, or the next such message when there is none yet: flows that
   * must answer alike for known and unknown addresses send their mail in the background, so it
   * may land after the call returned (later still when the storage is a real database).
   * Rejects after `timeoutMs` (default 2000).
   */
  waitFor(to: string, kind: MailKind, options?: { timeoutMs?: number }): Promise<MailMessage>;
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
  const waiting = new Set<(message: MailMessage) => void>();
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
      const stored = Object.freeze({ ...message });
      inbox.push(stored);
      for (const notify of [...waiting]) notify(stored);
    },
    last: (to) => latest((m) => to === undefined || same(m.to, to)),
    find: (to, kind) => latest((m) => m.kind === kind && same(m.to, to)),
    waitFor(to, kind, { timeoutMs = 2000 } = {}) {
      const matches = (m: MailMessage) => m.kind === kind && same(m.to, to);
      const found = latest(matches);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(notify);
          reject(new Error(`memoryMailer: no ${kind} mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        const notify = (m: MailMessage) => {
          if (!matches(m)) return;
          clearTimeout(timer);
          waiting.delete(notify);
          resolve(m);
        };
        waiting.add(notify);
      });
    },
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
