import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../users/normalize.js';
import type { Exchange } from './client.js';
import type { ContractContext } from './context.js';
import { REFRESH_COOKIE, SESSION_COOKIE } from './expect.js';
import { refreshTokenOf } from './jwt.js';

const SECOND_PASSWORD = 'cobalt harbour whistle';
const WRONG_PASSWORD = 'ultramarine quarry bell';
const NEW_PASSWORD = 'saffron meridian lantern';
const THIRD_PASSWORD = 'juniper atlas compass';

/** `token` and, for `{id}.{secret}` tokens, the secret half. */
function tokenParts(token: string): string[] {
  const secret = token.split('.')[1];
  return secret === undefined ? [token] : [token, secret];
}

/** A secret as it would appear verbatim, URL-encoded, form-encoded or base64-encoded. */
function encodings(secret: string): Set<string> {
  const bytes = new TextEncoder().encode(secret);
  const base64 = btoa(String.fromCharCode(...bytes)).replace(/=+$/, '');
  return new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    base64,
    base64.replace(/\+/g, '-').replace(/\//g, '_'),
  ]);
}

/** Where a credential may legitimately appear in one exchange: its own cookie or body field. */
function scrubbed(exchange: Exchange, bodyRefreshToken: boolean): string {
  const cookies = exchange.setCookies.map((c) =>
    c.name === SESSION_COOKIE || c.name === REFRESH_COOKIE ? c.raw.replace(c.value, '') : c.raw,
  );
  let body: unknown = exchange.body;
  try {
    const parsed = JSON.parse(exchange.body) as Record<string, unknown>;
    const route = exchange.path.replace(/\/$/, '');
    if (bodyRefreshToken && (route.endsWith('/login') || route.endsWith('/token/refresh'))) {
      delete parsed.refreshToken;
    }
    body = parsed;
  } catch {
    // Not JSON: scanned as text.
  }
  return JSON.stringify({ headers: exchange.headers, cookies, body });
}

/** Nothing secret in any response, header, log line or event of a whole account lifecycle. */
export function describeLeakage(ctx: ContractContext): void {
  describe('no secret in responses, logs or events', () => {
    it('scans a whole lifecycle: passwords, hashes, mailed tokens, session and refresh secrets', async () => {
      const start = ctx.exchanges.length;
      const secrets = new Set<string>();
      const hashes = async (email: string) => {
        const user = await ctx
          .auth()
          .storage.users.getByEmail(normalizeEmail(email)?.emailNormalized ?? email);
        const hash = user?.passwordHash ?? '';
        for (const part of [hash, ...hash.split('$').filter((p) => p.length > 15)]) {
          if (part !== '') secrets.add(part);
        }
      };
      const mailed = async (to: string, kind: Parameters<ContractContext['mailToken']>[1]) => {
        const token = await ctx.mailToken(to, kind);
        for (const part of tokenParts(token)) secrets.add(part);
        return token;
      };
      const account = ctx.newAccount();
      for (const p of [account.password, SECOND_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD]) {
        secrets.add(p);
      }
      secrets.add(THIRD_PASSWORD);
      const anon = ctx.client();
      await anon.request('POST', '/register', { json: account });
      await anon.request('POST', '/register', {
        json: { email: account.email, password: SECOND_PASSWORD },
      });
      await anon.request('POST', '/email/verify', {
        json: { token: await mailed(account.email, 'verify-email') },
      });
      await hashes(account.email);
      await anon.request('POST', '/login', {
        json: { identifier: account.email, password: WRONG_PASSWORD },
      });
      const first = await ctx.signIn(account);
      const { client } = first;
      for (const route of ['/session', '/sessions', '/user', '/audit', '/csrf']) {
        await client.request('GET', route);
      }
      await client.request('PATCH', '/user', { json: { firstName: 'Ada' } });
      await client.request('POST', '/password/change', {
        json: { currentPassword: account.password, newPassword: NEW_PASSWORD },
      });
      await hashes(account.email);
      if (ctx.variant.strategy === 'jwt') {
        const old = refreshTokenOf(first);
        const rotated = await ctx.refresh(old);
        expect(rotated.status).toBe(200);
        // A retry within 30 s re-delivers the same token (its secrets are scanned below too);
        // after that the old token is reuse.
        expect((await ctx.refresh(old)).status).toBe(200);
        ctx.clock.advance(31_000);
        expect((await ctx.refresh(old)).status).toBe(401);
      }
      await anon.request('POST', '/password/reset', { json: { email: account.email } });
      await anon.request('POST', '/password/reset/confirm', {
        json: { token: await mailed(account.email, 'password-reset'), newPassword: THIRD_PASSWORD },
      });
      await hashes(account.email);
      const second = await ctx.signIn({ ...account, password: THIRD_PASSWORD });
      const newEmail = `renamed.${account.email}`;
      await second.client.request('POST', '/user/email', {
        json: { newEmail, password: THIRD_PASSWORD },
      });
      await anon.request('POST', '/user/email/confirm', {
        json: { token: await mailed(newEmail, 'email-change-confirm') },
      });
      await second.client.request('GET', '/audit');
      await second.client.request('POST', '/logout');
      const third = await ctx.signIn({ ...account, email: newEmail, password: THIRD_PASSWORD });
      await third.client.request('DELETE', '/user', { json: { password: THIRD_PASSWORD } });

      const exchanges = ctx.exchanges.slice(start);
      // Every credential the server handed out is a secret outside its own cookie or field.
      for (const e of exchanges) {
        for (const c of e.setCookies) {
          if ((c.name === SESSION_COOKIE || c.name === REFRESH_COOKIE) && c.value !== '') {
            for (const part of tokenParts(c.value)) secrets.add(part);
          }
        }
        const body = /^\s*\{/.test(e.body)
          ? (JSON.parse(e.body) as { refreshToken?: unknown })
          : {};
        if (typeof body.refreshToken === 'string') {
          for (const part of tokenParts(body.refreshToken)) secrets.add(part);
        }
      }
      expect(exchanges.length).toBeGreaterThan(20);
      const bodyRefresh = ctx.variant.transport === 'body';
      const responses = exchanges.map((e) => `${e.method} ${e.path} ${scrubbed(e, bodyRefresh)}`);
      const logs = JSON.stringify(ctx.logs);
      const events = JSON.stringify(ctx.events);
      for (const secret of secrets) {
        expect(secret.length, 'a scanned secret is long enough to be meaningful').toBeGreaterThan(
          7,
        );
        for (const form of encodings(secret)) {
          for (const response of responses) expect(response).not.toContain(form);
          expect(logs).not.toContain(form);
          expect(events).not.toContain(form);
        }
      }
      expect(secrets.size).toBeGreaterThan(15);
    });
  });
}
