import { renderHtml, renderText } from './layout.js';
import { DEFAULT_TEMPLATES, type DefaultTemplate } from './templates.js';
import type { MailData, MailKind, MailMessage } from './types.js';

/**
 * The three parts of one kind of mail, each a function of that kind's typed data. An
 * overriding `html` must escape what it interpolates (`escapeHtml`); `text` and `subject`
 * are plain text.
 */
export interface MailTemplate<D> {
  /** The subject line. Line breaks are replaced by spaces (header injection). */
  subject(data: D): string;
  /** The plain-text body. */
  text(data: D): string;
  /** The HTML body; keep it self-contained (inline styles, no remote assets). */
  html(data: D): string;
}

/**
 * Overrides of the default mails: any kind, any of its parts; what is not given keeps the
 * default. Mail for languages other than English is done this way.
 *
 * @example
 * ```ts
 * const templates: MailTemplates = {
 *   'password-reset': { subject: (d) => `${d.appName}: new password` },
 * };
 * ```
 */
export type MailTemplates = { [K in MailKind]?: Partial<MailTemplate<MailData[K]>> };

/** Options of {@link renderMail}. */
export interface RenderMailOptions {
  /** Overrides of the default templates. Default none. */
  templates?: MailTemplates | undefined;
}

/** A rendered mail: everything of a {@link MailMessage} but the recipient. */
export type RenderedMail = Omit<MailMessage, 'to'>;

/**
 * Renders one mail of `kind` from its data, with the integrator's overrides where given and
 * the default template elsewhere. The defaults escape every value they put into HTML.
 *
 * @example
 * ```ts
 * const link = buildLink(appUrl, '/verify-email', token);
 * const mail = renderMail('verify-email', { appName, link, expiresInMinutes: 1440 }, { templates });
 * await mailer.send({ to: user.email, ...mail });
 * ```
 */
export function renderMail<K extends MailKind>(
  kind: K,
  data: MailData[K],
  options: RenderMailOptions,
): RenderedMail {
  const override: Partial<MailTemplate<MailData[K]>> | undefined = options.templates?.[kind];
  const fallback: DefaultTemplate<MailData[K]> = DEFAULT_TEMPLATES[kind];
  const subject = (override?.subject ?? fallback.subject)(data);
  const text = override?.text?.(data) ?? renderText(fallback.body(data));
  const html = override?.html?.(data) ?? renderHtml(fallback.body(data), { title: data.appName });
  return { kind, subject: oneLine(subject), text, html };
}

/** A subject is a header: a CR or LF in it could add headers in a careless SMTP client. */
function oneLine(subject: string): string {
  return subject.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}
