import { expect } from 'vitest';
import type { AuthConfig, AuthErrorCode, LoginResult } from '../../src/index.js';
import { CTX, codeOf, fail, PASSWORD, setup2fa } from '../two-factor/helpers.js';

export { CTX, codeOf, fail, PASSWORD };

export const ADA = 'ada@example.com';
export const NOBODY = 'nobody@example.com';
export const MINUTE = 60_000;

/**
 * The 2FA test setup (memory storage recording every store call's arguments, fake clock,
 * inbox, events, logs) with magic links on (`magicLink: {}` unless `over` says otherwise, or
 * off with `options.off`).
 */
export async function setupMagic(over: Partial<AuthConfig> = {}, options: { off?: boolean } = {}) {
  const s = await setup2fa(options.off === true ? over : { magicLink: {}, ...over });
  const { auth, mailer } = s;

  /** The link's token and the code of the latest magic-link mail to `to`. */
  const mailed = (to = ADA) => {
    const mail = mailer.find(to, 'magic-link') ?? fail(`no magic-link mail to ${to}`);
    const token = mailer.extractToken(mail) ?? fail('no token in the mail');
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1] ?? fail('no code in the mail');
    return { token, code, mail };
  };

  /** Asks for a link for `to`, then reads it from the inbox. */
  const requested = async (to = ADA, context: object = CTX) => {
    mailer.clear();
    expect(await auth.magicLink.request(to, context)).toEqual({ status: 'link_sent' });
    return mailed(to);
  };

  /** A sign-in that must be signed in; resolves to it. */
  const signedIn = (result: LoginResult) => {
    if (result.status !== 'signed_in') return fail(`expected signed_in, got ${result.status}`);
    return result;
  };

  /** A 6-digit code that is not `code`. */
  const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  return { ...s, mailed, requested, signedIn, otherCode };
}

/** Asserts that `promise` rejects with an AuthError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: AuthErrorCode): Promise<void> {
  expect(await codeOf(promise)).toBe(code);
}
