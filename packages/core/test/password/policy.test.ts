import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sha1 } from '@noble/hashes/legacy.js';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/crypto/encoding.js';
import { commonPasswords } from '../../src/password/blocklist.js';
import { COMMON_PASSWORD_COUNT } from '../../src/password/common-passwords.js';
import {
  checkPassword,
  checkPasswordAsync,
  normalizePassword,
  type PasswordCheckOptions,
  type PasswordPolicyResult,
} from '../../src/password/policy.js';

const GOOD = 'correct horse battery staple';

function reasonsOf(result: PasswordPolicyResult): readonly string[] {
  return result.ok ? [] : result.reasons;
}

function expectRefused(password: string, options: PasswordCheckOptions, reason: string) {
  const result = checkPassword(password, options);
  expect(result.ok).toBe(false);
  expect(reasonsOf(result)).toContain(reason);
  if (!result.ok) {
    // One user-safe detail per reason, on the password field, never echoing the password.
    expect(result.details).toHaveLength(result.reasons.length);
    for (const d of result.details) {
      expect(d.path).toBe(options.field ?? 'password');
      expect(d.message).not.toContain(password);
    }
  }
  return result;
}

describe('accepted passwords', () => {
  it('accepts a long passphrase with no composition rules (800-63B 5.1.1.2)', () => {
    expect(checkPassword(GOOD, {})).toEqual({ ok: true });
    expect(checkPassword('lowercaseonlybutlong', {})).toEqual({ ok: true });
  });

  it('accepts exactly minLength and maxLength code points', () => {
    expect(checkPassword('kq7vzpwm', {}).ok).toBe(true);
    expect(checkPassword('kq7vzpwm'.repeat(32), {}).ok).toBe(true);
  });
});

describe('length', () => {
  it('refuses a password shorter than minLength with a message naming the minimum', () => {
    const r = expectRefused('kq7vzpw', {}, 'too_short');
    expect(r.ok || r.details[0]?.message).toBe('Use at least 8 characters.');
    expectRefused('kq7vzpwmx1', { minLength: 12 }, 'too_short');
  });

  it('refuses a password longer than maxLength, and checks nothing else on it', () => {
    const r = expectRefused('a'.repeat(257), {}, 'too_long');
    expect(reasonsOf(r)).toEqual(['too_long']);
    expect(r.ok || r.details[0]?.message).toBe('Use at most 256 characters.');
    expectRefused('kq7vzpwmx1y', { maxLength: 10 }, 'too_long');
  });

  it('counts code points, not UTF-16 units: 4 emoji are 4 characters, not 8', () => {
    const emoji = '🔒🐙🌵🚲';
    expect(emoji.length).toBe(8);
    expectRefused(emoji, {}, 'too_short');
    expect(checkPassword(`${emoji}${emoji}`, {}).ok).toBe(true);
    expect(checkPassword(`${'🔒'.repeat(3)}🐙🌵🚲`, { minLength: 4, maxLength: 6 }).ok).toBe(true);
  });

  it('uses the field name given for the detail path', () => {
    const r = expectRefused('kq7vz', { field: 'newPassword' }, 'too_short');
    expect(r.ok || r.details.map((d) => d.path)).toEqual(['newPassword']);
  });
});

describe('normalization (NFKC)', () => {
  it('makes composed and decomposed é the same password', () => {
    const composed = 'caf\u00e9-terrasse';
    const decomposed = 'cafe\u0301-terrasse';
    expect(composed).not.toBe(decomposed);
    expect(normalizePassword(composed)).toBe(normalizePassword(decomposed));
  });

  it('folds fullwidth letters, so "ｐａｓｓｗｏｒｄ１２３" is the listed "password123"', () => {
    expect(normalizePassword('ｐａｓｓｗｏｒｄ１２３')).toBe('password123');
    expectRefused('ｐａｓｓｗｏｒｄ１２３', {}, 'common');
  });

  it('measures length after normalization (a ligature counts as its letters)', () => {
    // U+FB03 "ﬃ" is one code point and three after NFKC.
    expect(checkPassword('kq7vz\ufb03', {}).ok).toBe(true);
  });
});

describe('common passwords', () => {
  it('holds at least 10,000 entries, among them well-known ones', () => {
    expect(COMMON_PASSWORD_COUNT).toBeGreaterThanOrEqual(10_000);
    expect(commonPasswords().size).toBe(COMMON_PASSWORD_COUNT);
    for (const p of ['password', 'qwerty123', 'iloveyou'])
      expect(commonPasswords().has(p)).toBe(true);
  });

  it('refuses listed passwords whatever their case', () => {
    for (const p of ['PASSWORD', 'Password', 'QWERTY123', 'iloveyou', 'Trustno1']) {
      const r = expectRefused(p, {}, 'common');
      expect(r.ok || r.details.map((d) => d.message)).toContain(
        'This password is too common. Choose a less common one.',
      );
    }
  });

  it('keeps short entries, so a lowered minLength still refuses them', () => {
    expectRefused('dragon', { minLength: 4 }, 'common');
  });

  it('blocklist: false turns the list off; an iterable replaces it', () => {
    expect(checkPassword('iloveyou', { blocklist: false }).ok).toBe(true);
    expect(checkPassword('iloveyou', { blocklist: ['hunter2hunter2'] }).ok).toBe(true);
    expectRefused('Hunter2Hunter2', { blocklist: ['hunter2hunter2'] }, 'common');
  });

  it('extraBlockedWords adds to the built-in list', () => {
    const options = { extraBlockedWords: new Set(['Portcullis2024']) };
    expectRefused('portcullis2024', options, 'common');
    expectRefused('iloveyou', options, 'common');
  });

  it('the committed list is what the generator makes from the pinned source', () => {
    const script = fileURLToPath(
      new URL('../../scripts/make-common-passwords.mjs', import.meta.url),
    );
    expect(() =>
      execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});

describe('repetitive and sequential characters', () => {
  it.each(['aaaaaaaa', 'ZZZZZZZZZZ', 'abababab', '123123123', '€€€€€€€€'])('refuses %s', (p) => {
    expectRefused(p, { blocklist: false }, 'repetitive');
  });

  it.each(['12345678', 'abcdefgh', '87654321', 'HGFEDCBA', '7890123456'])('refuses %s', (p) => {
    expectRefused(p, { blocklist: false }, 'sequential');
  });

  it('accepts passwords that only contain a run', () => {
    expect(checkPassword('abcdefgh-kq7vz', {}).ok).toBe(true);
    expect(checkPassword('aaaaaaab', { blocklist: false }).ok).toBe(true);
  });
});

describe('context words', () => {
  const context = {
    email: 'Mary.Smith+news@example.org',
    username: 'marysmith',
    firstName: 'Mary-Ann',
    lastName: 'Smithson',
  };

  it.each([
    ['the whole email', 'x-mary.smith+news@example.org'],
    ['the email local part', 'MARY.SMITH+NEWS-rocks'],
    ['a part of the local part', 'goodsmith77!'],
    ['the username', 'iammarysmith!'],
    ['the first name', 'mary-ann-77-zq'],
    ['the first name without separators', 'maryann-77-zq'],
    ['the last name', 'zq-SMITHSON-77'],
  ])('refuses %s inside the password', (_, password) => {
    const r = expectRefused(password, { context }, 'context');
    expect(r.ok || r.details.map((d) => d.message)).toContain(
      'Do not use your email address, username or name in your password.',
    );
  });

  it('refuses the app name, with its own reason', () => {
    expectRefused('my-AcmeCloud-pass', { appName: 'Acme Cloud' }, 'app_name');
    expectRefused('acme-cloud-rules', { appName: 'Acme Cloud' }, 'app_name');
  });

  it('ignores context words shorter than 4 code points and the email domain', () => {
    const ctx = { firstName: 'Al', lastName: 'Ng', email: 'al@example.org' };
    expect(checkPassword('al-ng-kq7vz-pw', { context: ctx }).ok).toBe(true);
    expect(checkPassword('example-kq7vz', { context: ctx }).ok).toBe(true);
  });

  it('contextWords: false turns the rule off, app name included', () => {
    const options = { context, appName: 'Acme Cloud', contextWords: false };
    expect(checkPassword('iammarysmith!acmecloud', options).ok).toBe(true);
  });

  it('reports each failed rule once, and never the password or the context values', () => {
    const r = checkPassword('marysmith', { context, appName: 'Mary Smith Inc' });
    expect(reasonsOf(r)).toEqual(['context', 'app_name']);
    const text = JSON.stringify(r);
    for (const secret of ['marysmith', 'mary', 'smith'])
      expect(text.toLowerCase()).not.toContain(secret);
  });
});

function sha1Hex(password: string): string {
  return toHex(sha1(utf8(password))).toUpperCase();
}

function fakeFetch(respond: (url: string, init: RequestInit | undefined) => Promise<Response>) {
  const calls: { url: string; headers: Headers }[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers) });
    return respond(String(input), init);
  }) as typeof fetch;
  return { fn, calls };
}

describe('breached-password check (k-anonymity)', () => {
  const password = 'kq7vz-breached-once';
  const hash = sha1Hex(password);
  const body = (lines: string[]) => new Response(lines.join('\r\n'), { status: 200 });

  it('sends only the 5-character SHA-1 prefix, with Add-Padding, and refuses a hit', async () => {
    const f = fakeFetch(async () =>
      body(['0000000000000000000000000000000000A:0', `${hash.slice(5)}:42`]),
    );
    const r = await checkPasswordAsync(password, { breachedPasswordCheck: { fetch: f.fn } });
    expect(reasonsOf(r)).toEqual(['breached']);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]?.url).toBe(`https://api.pwnedpasswords.com/range/${hash.slice(0, 5)}`);
    expect(f.calls[0]?.headers.get('add-padding')).toBe('true');
    expect(JSON.stringify(f.calls)).not.toContain(hash.slice(5));
    expect(JSON.stringify(r)).not.toContain(password);
  });

  it('hashes the normalized password', async () => {
    const f = fakeFetch(async () => body([]));
    await checkPasswordAsync('ｋｑ７ｖｚ-fullwidth', { breachedPasswordCheck: { fetch: f.fn } });
    expect(f.calls[0]?.url.endsWith(sha1Hex('kq7vz-fullwidth').slice(0, 5))).toBe(true);
  });

  it('accepts a miss, and ignores padding lines with a count of 0', async () => {
    const f = fakeFetch(async () =>
      body(['ABCDEF0123456789ABCDEF0123456789ABC:3', `${hash.slice(5)}:0`]),
    );
    expect(await checkPasswordAsync(password, { breachedPasswordCheck: { fetch: f.fn } })).toEqual({
      ok: true,
    });
  });

  it('fails open with a warning when fetch throws or answers an error status', async () => {
    for (const respond of [
      async () => Promise.reject(new TypeError('network down')),
      async () => new Response('busy', { status: 503 }),
    ]) {
      const f = fakeFetch(respond);
      const r = await checkPasswordAsync(password, { breachedPasswordCheck: { fetch: f.fn } });
      expect(r.ok).toBe(true);
      expect(r.ok && r.warnings?.length).toBe(1);
    }
  });

  it('fails open after timeoutMs, even when fetch ignores the abort signal', async () => {
    let aborted = false;
    const f = fakeFetch((_, init) => {
      init?.signal?.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise<Response>(() => {});
    });
    const started = Date.now();
    const r = await checkPasswordAsync(password, {
      breachedPasswordCheck: { fetch: f.fn, timeoutMs: 30 },
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.ok && r.warnings?.[0]).toMatch(/did not answer/);
    expect(aborted).toBe(true);
  });

  it('does not call the service when the sync rules refuse, or when the check is off', async () => {
    const f = fakeFetch(async () => body([]));
    expect(
      reasonsOf(await checkPasswordAsync('password', { breachedPasswordCheck: { fetch: f.fn } })),
    ).toEqual(['common']);
    expect(await checkPasswordAsync(password, {})).toEqual({ ok: true });
    expect(await checkPasswordAsync(password, { breachedPasswordCheck: false })).toEqual({
      ok: true,
    });
    expect(f.calls).toHaveLength(0);
  });

  it('the sync checkPassword never calls the service', () => {
    const f = fakeFetch(async () => body([`${hash.slice(5)}:42`]));
    expect(checkPassword(password, { breachedPasswordCheck: { fetch: f.fn } }).ok).toBe(true);
    expect(f.calls).toHaveLength(0);
  });
});
