import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors/auth-error.js';
import type { MailKind } from '../../src/index.js';
import {
  buildLink,
  buildPageLink,
  escapeHtml,
  MAIL_KINDS,
  type MailData,
  renderMail,
} from '../../src/mail/index.js';

const appName = 'Acme';
const link = buildLink('https://app.example.com/', '/verify-email', 'sel.ver_-ifier');
const page = 'https://app.example.com/reset-password';
const at = new Date('2025-03-04T05:06:07Z');
const origin = { at, ip: '203.0.113.7', userAgent: 'Firefox/130', link: page };

/** Sample data of every kind; the `satisfies` keeps it complete and typed. */
const SAMPLES = {
  'verify-email': { appName, link, expiresInMinutes: 1440 },
  'password-reset': { appName, link, expiresInMinutes: 30 },
  'password-changed': { appName, ...origin },
  'password-reset-notice': { appName, ...origin },
  'email-change-confirm': { appName, link, expiresInMinutes: 60, newEmail: 'new@example.com' },
  'email-change-notice': { appName, ...origin, newEmail: 'new@example.com' },
  'new-sign-in': { appName, ...origin },
  'email-otp': { appName, code: '482915', expiresInMinutes: 10 },
  'register-existing': { appName, link: page },
  'account-locked': {
    appName,
    ...origin,
    until: new Date('2025-03-04T05:21:07Z'),
    failedAttempts: 5,
  },
  'second-factor-locked': {
    appName,
    ...origin,
    until: new Date('2025-03-04T05:21:07Z'),
    failedAttempts: 10,
  },
  'magic-link': { appName, link, code: '305117', expiresInMinutes: 15 },
  'two-factor-reset': { appName, ...origin },
  invitation: { appName, link, expiresInMinutes: 7 * 1440 },
  'email-changed': { appName, at, ip: '203.0.113.7', newEmail: 'new@example.com' },
} satisfies { [K in MailKind]: MailData[K] };

function render<K extends MailKind>(kind: K, data: MailData[K] = SAMPLES[kind]) {
  return renderMail(kind, data, {});
}

describe('default templates', () => {
  // `email-changed` goes to an address that no longer receives the account's links.
  it.each(MAIL_KINDS.filter((k) => k !== 'email-otp' && k !== 'email-changed'))(
    '%s has the app name and the link',
    (kind) => {
      const mail = render(kind);
      const expected = 'link' in SAMPLES[kind] ? SAMPLES[kind].link : '';
      expect(mail.kind).toBe(kind);
      expect(mail.subject).toContain(appName);
      expect(mail.text).toContain(appName);
      expect(mail.text).toContain(expected);
      expect(mail.html).toContain(appName);
      expect(mail.html).toContain(`href="${escapeHtml(expected)}"`);
    },
  );

  it('email-otp carries the code in text and HTML, but not in the subject', () => {
    const mail = render('email-otp');
    expect(mail.text).toContain('482915');
    expect(mail.html).toContain('482915');
    expect(mail.subject).not.toContain('482915');
    expect(mail.text).toContain('10 minutes');
  });

  it('link mails state their lifetime; notices state when, from where, from what', () => {
    expect(render('password-reset').text).toContain('30 minutes');
    const notice = render('new-sign-in').text;
    expect(notice).toContain('2025-03-04 05:06 UTC');
    expect(notice).toContain('203.0.113.7');
    expect(notice).toContain('Firefox/130');
    expect(render('new-sign-in', { appName, at, link: page }).text).not.toContain('IP address');
  });

  it('account-locked says how many failures, when it lifts, and to reset if it was not them', () => {
    const { text, html } = render('account-locked');
    expect(text).toContain('5 wrong passwords');
    expect(text).toContain('paused until 2025-03-04 05:21 UTC');
    expect(text).toContain('203.0.113.7');
    expect(text).toMatch(/If it was not you, reset your password/);
    expect(html).toContain(`href="${page}"`);
  });

  it('the email change mails name the new address', () => {
    expect(render('email-change-confirm').text).toContain('new@example.com');
    expect(render('email-change-notice').html).toContain('new@example.com');
  });

  it('HTML is self-contained: no remote images, stylesheets or scripts', () => {
    for (const kind of MAIL_KINDS) {
      const { html } = render(kind);
      expect(html).not.toMatch(/<(img|link|script)\b/i);
      expect(html).toMatch(/^<!doctype html>/);
    }
  });
});

describe('escaping of user-controlled values', () => {
  it('escapes a first name like <script> in HTML and keeps it plain in text', () => {
    const mail = render('verify-email', {
      ...SAMPLES['verify-email'],
      firstName: '<script>x</script>',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Hello &lt;script&gt;x&lt;/script&gt;,');
    expect(mail.text).toContain('Hello <script>x</script>,');
  });

  it('escapes a hostile user agent, new address and app name, and quotes in links', () => {
    const mail = render('email-change-notice', {
      ...SAMPLES['email-change-notice'],
      appName: 'A&B "Co"',
      userAgent: '"><img src=x onerror=alert(1)>',
      newEmail: '<b>@evil.test',
      link: 'https://app.example.com/reset?a="onmouseover=',
    });
    expect(mail.html).not.toMatch(/<img|<b>|"onmouseover/);
    expect(mail.html).toContain('A&amp;B &quot;Co&quot;');
    expect(mail.subject).toBe('Your A&B "Co" email address is being changed');
  });

  it('caps an absurdly long user agent', () => {
    const mail = render('new-sign-in', { ...SAMPLES['new-sign-in'], userAgent: 'x'.repeat(5000) });
    expect(mail.text).not.toContain('x'.repeat(201));
  });
});

describe('overrides', () => {
  it('replace only the parts they give, with the typed data of their kind', () => {
    const mail = renderMail('email-otp', SAMPLES['email-otp'], {
      templates: { 'email-otp': { subject: (d) => `${d.appName}: code inside` } },
    });
    expect(mail.subject).toBe('Acme: code inside');
    expect(mail.text).toBe(render('email-otp').text);
    expect(mail.html).toBe(render('email-otp').html);
  });

  it('replace text and HTML independently, and leave other kinds alone', () => {
    const templates = {
      'password-reset': { html: (d: MailData['password-reset']) => `<a>${d.link}</a>` },
    };
    const mail = renderMail('password-reset', SAMPLES['password-reset'], { templates });
    expect(mail.html).toBe(`<a>${link}</a>`);
    expect(mail.text).toBe(render('password-reset').text);
    expect(renderMail('verify-email', SAMPLES['verify-email'], { templates })).toEqual(
      render('verify-email'),
    );
  });

  it('cannot put a line break into the subject header', () => {
    const mail = renderMail('new-sign-in', SAMPLES['new-sign-in'], {
      templates: { 'new-sign-in': { subject: () => 'Hi\r\nBcc: victim@example.com' } },
    });
    expect(mail.subject).toBe('Hi Bcc: victim@example.com');
  });
});

describe('buildLink', () => {
  it('joins appUrl, path and the URL-encoded token, with or without slashes', () => {
    expect(buildLink('https://app.example.com', '/verify-email', 'a.b')).toBe(
      'https://app.example.com/verify-email?token=a.b',
    );
    expect(buildLink('https://app.example.com//', 'verify-email', 'a+b/c=&d')).toBe(
      'https://app.example.com/verify-email?token=a%2Bb%2Fc%3D%26d',
    );
    expect(buildLink('https://x.test/app/', '/r?lang=fr', 't')).toBe(
      'https://x.test/app/r?lang=fr&token=t',
    );
    expect(buildLink('https://x.test/#/', '/verify-email', 't')).toBe(
      'https://x.test/#/verify-email?token=t',
    );
    expect(buildPageLink('https://x.test/', '/reset-password')).toBe(
      'https://x.test/reset-password',
    );
  });

  it.each(['javascript:alert(1)//', 'app.example.com', '//app.example.com', 'ftp://x.test', ''])(
    'refuses appUrl %j with CONFIG_INVALID',
    (appUrl) => {
      expect(() => buildLink(appUrl, '/verify-email', 't')).toThrow(AuthError);
      try {
        buildLink(appUrl, '/verify-email', 't');
      } catch (e) {
        expect((e as AuthError).code).toBe('CONFIG_INVALID');
      }
    },
  );
});
