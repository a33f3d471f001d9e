const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values. Use it on every value an
 * overriding `html` template interpolates: names and user agents come from users.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** A date as `2025-03-04 05:06 UTC`: the same for every reader, whatever the server's locale. */
export function formatMailDate(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The content of a default mail, rendered once as text and once as HTML. */
export interface MailBody {
  /** Recipient's first name, for the greeting. */
  readonly firstName?: string | undefined;
  /** Paragraphs before the action, plain text. */
  readonly intro: readonly string[];
  /** The button (HTML) or the bare link (text). */
  readonly action?: { readonly label: string; readonly url: string };
  /** A one-time code, shown large. */
  readonly code?: string;
  /** Paragraphs after the action, plain text. */
  readonly outro: readonly string[];
  /** Signature line, for example the app name. */
  readonly signature: string;
}

function greeting(firstName: string | undefined): string {
  const name = firstName?.trim();
  return name ? `Hello ${name},` : 'Hello,';
}

/** The plain-text form of a {@link MailBody}. */
export function renderText(body: MailBody): string {
  const blocks = [greeting(body.firstName), ...body.intro];
  if (body.action !== undefined) blocks.push(`${body.action.label}:\n${body.action.url}`);
  if (body.code !== undefined) blocks.push(body.code);
  blocks.push(...body.outro, `— ${body.signature}`);
  return `${blocks.join('\n\n')}\n`;
}

const FONT = 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif';

/**
 * The HTML form of a {@link MailBody}: one table-free column with inline styles (mail clients
 * drop `<style>` and block remote assets). Every interpolated value is escaped.
 */
export function renderHtml(body: MailBody, options: { title: string }): string {
  const p = (text: string) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(text)}</p>`;
  const parts = [p(greeting(body.firstName)), ...body.intro.map(p)];
  if (body.action !== undefined) {
    const url = escapeHtml(body.action.url);
    parts.push(
      `<p style="margin:24px 0"><a href="${url}" style="background:#1f4fd1;color:#ffffff;` +
        `padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">` +
        `${escapeHtml(body.action.label)}</a></p>`,
      `<p style="margin:0 0 16px;font-size:13px;color:#555555;word-break:break-all">` +
        `Or copy this link into your browser: <a href="${url}">${url}</a></p>`,
    );
  }
  if (body.code !== undefined) {
    parts.push(
      `<p style="margin:24px 0;font-size:28px;letter-spacing:6px;font-weight:bold">` +
        `${escapeHtml(body.code)}</p>`,
    );
  }
  parts.push(...body.outro.map(p), p(`— ${body.signature}`));
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f5f5f5;${FONT};color:#1a1a1a">`,
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:32px;border-radius:8px">',
    ...parts,
    '</div></body></html>',
    '',
  ].join('\n');
}
