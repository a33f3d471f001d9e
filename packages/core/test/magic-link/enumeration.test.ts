/**
 * A magic-link request answers alike, after the same awaited work, for a known, an unknown and
 * a disabled address; the link, the code and the mail follow in the background.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthConfig, type MailMessage, memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/index.js';
import { setBackgroundInline, settleBackgroundWork } from '../../src/testing/index.js';
import { setup } from '../flows/helpers.js';
import { ADA, CTX, fail, NOBODY } from './helpers.js';

const OFF = 'off@example.com';

/** Memory storage that records the name of every store call when it is made. */
function callRecordingStorage() {
  const inner = memoryStorage();
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}`);
          return Reflect.apply(value, target, args);
        };
      },
    });
  const storage: Storage = {
    users: wrap('users', inner.users),
    accounts: wrap('accounts', inner.accounts),
    passkeys: wrap('passkeys', inner.passkeys),
    sessions: wrap('sessions', inner.sessions),
    tokens: wrap('tokens', inner.tokens),
    twoFactor: wrap('twoFactor', inner.twoFactor),
    rateLimits: wrap('rateLimits', inner.rateLimits),
    audit: wrap('audit', inner.audit),
  };
  return { storage, calls };
}

/** Ada (known), a disabled account, and Nobody (unknown), with every store call recorded. */
async function scenario(over: Partial<AuthConfig> = {}) {
  const recording = callRecordingStorage();
  const s = await setup({ storage: recording.storage, magicLink: {}, ...over });
  setBackgroundInline(true);
  try {
    await s.signUp(ADA);
    const off = await s.signUp(OFF);
    await s.auth.storage.users.update(off, { disabled: true, updatedAt: s.clock.now() });
  } finally {
    setBackgroundInline(false);
  }
  s.mailer.clear();
  /** The store calls made before `request(address)` answered, and its answer. */
  const awaited = async (address: string) => {
    recording.calls.length = 0;
    const answer = await s.auth.magicLink.request(address, CTX);
    const before = [...recording.calls];
    await settleBackgroundWork();
    return { answer, before, all: [...recording.calls] };
  };
  return { ...s, ...recording, awaited };
}

// Suites elsewhere run background work inline (test/setup/background-inline.ts); not here.
beforeAll(() => setBackgroundInline(false));
afterAll(() => setBackgroundInline(true));

describe('enumeration: one answer after the same awaited work', () => {
  for (const createAccounts of [false, true]) {
    it(`known, unknown and disabled addresses (createAccounts ${createAccounts})`, async () => {
      const s = await scenario({ magicLink: { createAccounts } });
      const known = await s.awaited(ADA);
      const unknown = await s.awaited(NOBODY);
      const disabled = await s.awaited(OFF);
      expect(known.answer).toEqual({ status: 'link_sent' });
      expect(unknown.answer).toEqual(known.answer);
      expect(disabled.answer).toEqual(known.answer);
      expect(known.before).toEqual(['rateLimits.hit', 'rateLimits.hit', 'users.getByEmail']);
      expect(unknown.before).toEqual(known.before);
      expect(disabled.before).toEqual(known.before);
      // The known address's work happened after the answer: the link and code, then the mail.
      expect(known.all.filter((c) => c === 'tokens.create')).toHaveLength(2);
      expect(disabled.all).not.toContain('tokens.create');
      expect(unknown.all.includes('tokens.create')).toBe(createAccounts);
      await s.mailer.waitFor(ADA, 'magic-link');
      expect(s.mailer.find(OFF, 'magic-link')).toBeUndefined();
      expect(s.mailer.find(NOBODY, 'magic-link') !== undefined).toBe(createAccounts);
    });
  }

  it('a mail provider that hangs for a known address does not hold the answer', async () => {
    let release: () => void = () => fail('not yet');
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sent: MailMessage[] = [];
    const s = await scenario();
    // The provider the runtime calls, from now on: it never answers for a magic-link mail.
    const deliver = s.mailer.send.bind(s.mailer);
    s.mailer.send = async (message) => {
      if (message.kind === 'magic-link') await gate;
      sent.push(message);
      await deliver(message);
    };
    const answered = await Promise.race([
      s.auth.magicLink.request(ADA, CTX),
      new Promise((resolve) => setTimeout(() => resolve('timed out'), 1000)),
    ]);
    expect(answered).toEqual({ status: 'link_sent' });
    expect(sent.filter((m) => m.kind === 'magic-link')).toEqual([]);
    release();
    await settleBackgroundWork();
    expect(sent.filter((m) => m.kind === 'magic-link').map((m) => m.to)).toEqual([ADA]);
  });
});

describe('enumeration: a wrong code answers after the same awaited work', () => {
  it('for an address with a live request, one without, and an unknown one', async () => {
    const s = await scenario();
    await s.auth.magicLink.request(ADA, CTX);
    await settleBackgroundWork();
    const mailed = /\b(\d{6})\b/.exec((await s.mailer.waitFor(ADA, 'magic-link')).text)?.[1];
    const wrongCode = mailed === '000000' ? '000001' : '000000';
    const wrong = async (address: string) => {
      s.calls.length = 0;
      const error = await s.auth.magicLink
        .verify({ email: address, code: wrongCode }, CTX)
        .catch((e: unknown) => e);
      const before = [...s.calls];
      await settleBackgroundWork();
      return { error, before };
    };
    const known = await wrong(ADA);
    const withoutRequest = await wrong(OFF);
    const unknown = await wrong(NOBODY);
    expect(known.error).toMatchObject({ code: 'CODE_INVALID' });
    expect(unknown.error).toMatchObject({ code: 'CODE_INVALID' });
    expect(withoutRequest.error).toMatchObject({ code: 'CODE_INVALID' });
    expect(known.before).toEqual([
      'rateLimits.hit',
      'rateLimits.hit',
      'tokens.get',
      'tokens.recordFailure',
      'tokens.consume',
    ]);
    expect(unknown.before).toEqual(known.before);
    expect(withoutRequest.before).toEqual(known.before);
  });
});
