/**
 * `@portcullis/core/mail`: core's mail templates, for applications that render mail of their own
 * with them: `renderMail` (with overrides per kind), each kind's typed data, `MAIL_KINDS` and
 * the link builders. The `Mailer` contract and the console and memory mailers are at the root.
 */
export { escapeHtml } from './layout.js';
export { buildLink, buildPageLink } from './link.js';
export type { MailTemplate, MailTemplates, RenderedMail, RenderMailOptions } from './render.js';
export { renderMail } from './render.js';
export type {
  MailData,
  MailDataBase,
  MailEventOrigin,
  MailLinkData,
  MailNoticeData,
} from './types.js';
export { MAIL_KINDS } from './types.js';
