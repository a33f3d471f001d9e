export type { ConsoleMailerOptions } from './console.js';
export { consoleMailer } from './console.js';
export { escapeHtml, formatMailDate } from './layout.js';
export { buildLink, buildPageLink } from './link.js';
export type { MemoryMailer, MemoryMailerOptions } from './memory.js';
export { memoryMailer } from './memory.js';
export type { MailTemplate, MailTemplates, RenderedMail, RenderMailOptions } from './render.js';
export { renderMail } from './render.js';
export type {
  MailData,
  MailDataBase,
  MailEventOrigin,
  Mailer,
  MailKind,
  MailLinkData,
  MailMessage,
  MailNoticeData,
} from './types.js';
export { MAIL_KINDS } from './types.js';
