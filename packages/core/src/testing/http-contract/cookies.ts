import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import type { SetCookie } from './cookie-jar.js';
import { CSRF_COOKIE, cookieOf, REFRESH_COOKIE, SESSION_COOKIE } from './expect.js';

/** The attributes the contract's cookie table gives a cookie. */
interface CookieRule {
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict';
  readonly path: string;
}

/** Asserts a cookie's attributes against the contract's cookie table. */
export function expectCookieAttributes(cookie: SetCookie | undefined, rule: CookieRule): void {
  expect(cookie, 'the cookie is set').toBeDefined();
  const attr = (name: string) => cookie?.attributes.get(name);
  expect(attr('httponly') === true, `${cookie?.name}: HttpOnly`).toBe(rule.httpOnly);
  expect(attr('secure'), `${cookie?.name}: Secure`).toBe(true);
  expect(String(attr('samesite')).toLowerCase(), `${cookie?.name}: SameSite`).toBe(rule.sameSite);
  expect(attr('path'), `${cookie?.name}: Path`).toBe(rule.path);
  // A __Host- cookie must not carry Domain (RFC 6265bis 4.1.3.2); no cookie here needs one.
  expect(attr('domain'), `${cookie?.name}: no Domain`).toBeUndefined();
  expect(cookie?.value.length, `${cookie?.name}: a value`).toBeGreaterThan(20);
}

/** The attributes of the session, CSRF and refresh cookies. */
export function describeCookies(ctx: ContractContext): void {
  describe('cookies', () => {
    it('sets the CSRF cookie __Host-portcullis.csrf: readable by scripts, Secure, Lax, Path=/', async () => {
      const res = await ctx.client().request('GET', '/csrf');
      expectCookieAttributes(cookieOf(res, CSRF_COOKIE), {
        httpOnly: false,
        sameSite: 'lax',
        path: '/',
      });
    });

    if (ctx.variant.strategy === 'cookie') {
      it('sets the session cookie __Host-portcullis.session: HttpOnly, Secure, Lax, Path=/', async () => {
        const account = await ctx.signUp();
        const res = await ctx.client().request('POST', '/login', {
          json: { identifier: account.email, password: account.password },
        });
        expectCookieAttributes(cookieOf(res, SESSION_COOKIE), {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
        });
        expect(cookieOf(res, REFRESH_COOKIE)).toBeUndefined();
      });
      return;
    }

    if (ctx.variant.transport === 'cookie') {
      it('sets the refresh cookie __Secure-portcullis.refresh: HttpOnly, Secure, Strict, refresh path', async () => {
        const account = await ctx.signUp();
        const login = await ctx.client().request('POST', '/login', {
          json: { identifier: account.email, password: account.password },
        });
        const rule = {
          httpOnly: true,
          sameSite: 'strict',
          path: `${ctx.basePath}/token/refresh`,
        } as const;
        const first = cookieOf(login, REFRESH_COOKIE);
        expectCookieAttributes(first, rule);
        expect(cookieOf(login, SESSION_COOKIE)).toBeUndefined();
        const refreshed = await ctx.refresh(first?.value ?? '');
        expect(refreshed.status).toBe(200);
        expectCookieAttributes(cookieOf(refreshed, REFRESH_COOKIE), rule);
      });
    } else {
      it('sets no refresh or session cookie when the refresh token travels in the body', async () => {
        const account = await ctx.signUp();
        const login = await ctx.client().request('POST', '/login', {
          json: { identifier: account.email, password: account.password },
        });
        expect(login.status).toBe(200);
        expect(cookieOf(login, REFRESH_COOKIE)).toBeUndefined();
        expect(cookieOf(login, SESSION_COOKIE)).toBeUndefined();
      });
    }
  });
}
