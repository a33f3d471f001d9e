import { describe, expect, it } from 'vitest';
import { consoleMailer, type MailMessage, memoryMailer } from '../../src/index.js';
import { buildLink, renderMail } from '../../src/mail/index.js';

const appUrl = 'https://app.example.com';

function verifyMail(to: string, token: string): MailMessage {
  const link = buildLink(appUrl, '/verify-email', token);
  return { to, ...renderMail('verify-email', { appName: 'Acme', link, expiresInMinutes: 60 }, {}) };
}

function otpMail(to: string): MailMessage {
  return {
    to,
    ...renderMail('email-otp', { appName: 'Acme', code: '123456', expiresInMinutes: 10 }, {}),
  };
}

describe('memoryMailer', () => {
  it('keeps messages in order, and finds the latest by recipient and kind', async () => {
    const mailer = memoryMailer({ appUrl });
    await mailer.send(verifyMail('ada@example.com', 'first'));
    await mailer.send(otpMail('bob@example.com'));
    await mailer.send(verifyMail('ada@example.com', 'second'));
    expect(mailer.messages.map((m) => m.to)).toEqual([
      'ada@example.com',
      'bob@example.com',
      'ada@example.com',
    ]);
    expect(mailer.last()?.to).toBe('ada@example.com');
    expect(mailer.last('BOB@example.com')?.kind).toBe('email-otp');
    const verify = mailer.find('Ada@Example.com', 'verify-email');
    expect(verify && mailer.extractToken(verify)).toBe('second');
    expect(mailer.find('bob@example.com', 'verify-email')).toBeUndefined();
    expect(mailer.last('nobody@example.com')).toBeUndefined();
  });

  it('extracts the first link to appUrl and its decoded token', async () => {
    const mailer = memoryMailer({ appUrl: `${appUrl}/` });
    const token = 'sel.ver+/=';
    const message = verifyMail('ada@example.com', token);
    const withOtherLink = {
      ...message,
      text: `See https://help.example.org/x first.\n${message.text}`,
    };
    expect(mailer.extractLink(withOtherLink)).toBe(buildLink(appUrl, '/verify-email', token));
    expect(mailer.extractToken(withOtherLink)).toBe(token);
    expect(memoryMailer().extractLink(withOtherLink)).toBe('https://help.example.org/x');
  });

  it('reads the token of a hash-routed link, and answers undefined without a link', () => {
    const mailer = memoryMailer({ appUrl: 'https://x.test/#' });
    const link = buildLink('https://x.test/#', '/verify-email', 'abc');
    const message: MailMessage = { ...verifyMail('a@x.test', 'unused'), text: `Open ${link}\n` };
    expect(mailer.extractToken(message)).toBe('abc');
    expect(mailer.extractLink(otpMail('a@x.test'))).toBeUndefined();
    expect(mailer.extractToken(otpMail('a@x.test'))).toBeUndefined();
  });

  it('exposes a snapshot that callers cannot use to rewrite the inbox', async () => {
    const mailer = memoryMailer();
    const message = otpMail('a@x.test');
    await mailer.send(message);
    message.text = 'changed';
    const snapshot = mailer.messages;
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(mailer.last()?.text).toContain('123456');
    mailer.clear();
    expect(mailer.messages).toHaveLength(0);
    expect(snapshot).toHaveLength(1);
  });

  it('failNext makes exactly the next send reject, without storing it', async () => {
    const mailer = memoryMailer();
    mailer.failNext(new Error('smtp down'));
    await expect(mailer.send(otpMail('a@x.test'))).rejects.toThrow('smtp down');
    expect(mailer.messages).toHaveLength(0);
    await mailer.send(otpMail('a@x.test'));
    expect(mailer.messages).toHaveLength(1);
  });
});

describe('consoleMailer', () => {
  it('writes the whole mail, link included, to the injected log', async () => {
    const lines: string[] = [];
    const mailer = consoleMailer({ log: (line) => lines.push(line) });
    const message = verifyMail('ada@example.com', 'tok123');
    await mailer.send(message);
    const out = lines.join('\n');
    expect(lines[0]).toBe('--- mail (verify-email) ---');
    expect(out).toContain('To: ada@example.com');
    expect(out).toContain(`Subject: ${message.subject}`);
    expect(out).toContain(buildLink(appUrl, '/verify-email', 'tok123'));
    expect(out).not.toContain('<!doctype html>');
    expect(lines.at(-1)).toBe('--- end of mail ---');
  });

  it('prints the HTML part when asked', async () => {
    const lines: string[] = [];
    await consoleMailer({ log: (l) => lines.push(l), includeHtml: true }).send(otpMail('a@x.test'));
    expect(lines).toContain('<!doctype html>');
  });
});
