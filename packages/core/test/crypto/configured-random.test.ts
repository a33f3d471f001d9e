/**
 * Every id, token, code, salt and secret comes from the configured `random` source (OWASP ASVS
 * 6.5.3), none from a second source behind its back. Two checks over one run through the HTTP
 * handler that touches every kind (verification, session, CSRF, TOTP secret, recovery codes,
 * challenge and its browser binding, emailed code, trusted device, reset and email-change
 * tokens, refresh token and access token): any other use of Web Crypto's random functions
 * during the run throws, and the same seed replays the same secrets while another seed
 * changes every one of them.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import {
  type AuthConfig,
  createAuth,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '../../src/index.js';
import { fakeClock } from '../../src/testing/index.js';
import { DEFAULT_TOTP_PARAMS, totpCode } from '../../src/two-factor/index.js';

const ORIGIN = 'https://app.example.com';
const PASSWORD = 'violet tangerine orbit';
const NEW_PASSWORD = 'saffron lighthouse quartz';

/** A deterministic source: SHA-256 of (seed, counter), as many blocks as asked for. */
function seededRandom(seed: string) {
  let counter = 0;
  let calls = 0;
  return {
    calls: () => calls,
    source: {
      bytes(length: number): Uint8Array {
        calls++;
        const out = new Uint8Array(length);
        for (let offset = 0; offset < length; offset += 32) {
          const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
          out.set(block.subarray(0, Math.min(32, length - offset)), offset);
        }
        return out;
      },
    },
  };
}

/** One run of every flow that makes a secret; resolves to the secrets, in order. */
async function run(seed: string, strategy: 'cookie' | 'jwt') {
  const random = seededRandom(seed);
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const mailer = memoryMailer({ appUrl: ORIGIN });
  const config: AuthConfig = {
    storage: memoryStorage(),
    mailer,
    appUrl: ORIGIN,
    secret: 'configured-random-secret-0123456789',
    clock,
    random: random.source,
    logger: silentLogger,
    session: { strategy },
  };
  const auth = createAuth(config);
  const handler = createHttpHandler(auth);
  const jar = new Map<string, string>();
  const secrets: string[] = [];
  let csrf: string | undefined;
  let bearer: string | undefined;
  const call = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { origin: ORIGIN, 'content-type': 'application/json' };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (csrf !== undefined) headers['x-csrf-token'] = csrf;
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    const res = await handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      { remoteAddress: '203.0.113.7' },
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair as string).split('=') as [string, string];
      if (value === '') jar.delete(name);
      else {
        jar.set(name, value);
        secrets.push(`${name}=${value}`);
      }
    }
    const text = await res.text();
    const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    expect(res.status, `${method} ${path}: ${text}`).toBeLessThan(300);
    for (const key of ['challenge', 'accessToken', 'refreshToken', 'csrfToken', 'secret']) {
      if (typeof json[key] === 'string') secrets.push(`${key}=${json[key]}`);
    }
    if (Array.isArray(json.recoveryCodes)) secrets.push(...(json.recoveryCodes as string[]));
    if (typeof json.user === 'object' && json.user !== null) {
      secrets.push(`user=${(json.user as { id: string }).id}`);
    }
    if (typeof json.accessToken === 'string') bearer = json.accessToken;
    return json;
  };
  const mailed = async (to: string, kind: Parameters<typeof mailer.waitFor>[1]) => {
    const message = await mailer.waitFor(to, kind);
    const token = mailer.extractToken(message) ?? /\b\d{6}\b/.exec(message.text)?.[0];
    expect(token, `${kind} mail`).toBeDefined();
    secrets.push(`${kind}=${token}`);
    return token as string;
  };
  const signedIn = () => {
    csrf = jar.get('__Host-portcullis.csrf');
  };

  await call('POST', '/register', { email: 'ada@example.com', password: PASSWORD });
  await call('POST', '/email/verify', { token: await mailed('ada@example.com', 'verify-email') });
  await call('POST', '/login', { identifier: 'ada@example.com', password: PASSWORD });
  signedIn();
  if (strategy === 'cookie') await call('GET', '/csrf');
  const { secret } = (await call('POST', '/2fa/totp/enroll', { password: PASSWORD })) as {
    secret: string;
  };
  const nextTotp = () =>
    totpCode(secret, DEFAULT_TOTP_PARAMS, clock.advance(DEFAULT_TOTP_PARAMS.periodSeconds * 1000));
  await call('POST', '/2fa/totp/confirm', { code: await nextTotp() });
  // A second sign-in: a challenge bound to this browser, an emailed code, a trusted device.
  jar.delete('__Host-portcullis.session');
  csrf = undefined;
  bearer = undefined;
  const { challenge } = (await call('POST', '/login', {
    identifier: 'ada@example.com',
    password: PASSWORD,
  })) as { challenge: string };
  await call('POST', '/2fa/email/send', { challenge });
  await call('POST', '/2fa/verify', {
    challenge,
    method: 'email',
    code: await mailed('ada@example.com', 'email-otp'),
    rememberDevice: true,
  });
  signedIn();
  if (strategy === 'jwt') await call('POST', '/token/refresh', {});
  await call('POST', '/user/email', {
    newEmail: 'ada.new@example.com',
    password: PASSWORD,
    method: 'totp',
    code: await nextTotp(),
  });
  await mailed('ada.new@example.com', 'email-change-confirm');
  await call('POST', '/password/reset', { email: 'ada@example.com' });
  const reset = await mailed('ada@example.com', 'password-reset');
  await call('POST', '/password/reset/confirm', { token: reset, newPassword: NEW_PASSWORD });
  return { secrets, calls: random.calls() };
}

describe('every secret comes from the configured random source', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const strategy of ['cookie', 'jwt'] as const) {
    it(`${strategy}: no other randomness is drawn, the seed replays every secret, another seed changes each`, async () => {
      // Any draw that bypasses the configured source fails the run.
      const bypass = (name: string) => () => {
        throw new Error(`randomness drawn outside the configured source: ${name}`);
      };
      vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(
        bypass('crypto.getRandomValues'),
      );
      vi.spyOn(globalThis.crypto, 'randomUUID').mockImplementation(bypass('crypto.randomUUID'));
      const first = await run('seed-a', strategy);
      const again = await run('seed-a', strategy);
      const other = await run('seed-b', strategy);
      expect(first.calls).toBeGreaterThan(10);
      expect(first.secrets.length).toBeGreaterThan(15);
      expect(again.secrets).toEqual(first.secrets);
      const changed = first.secrets.filter((s, i) => s !== other.secrets[i]);
      // The CSRF token is an HMAC of the session id, which comes from the source too.
      expect(changed).toEqual(first.secrets);
    });
  }
});
