import { describe, expect, it } from 'vitest';
import { CORS_ORIGIN, type ContractContext } from './context.js';
import { expectOk, expectSignedIn, expectUser } from './expect.js';

/** `http.corsOrigins`: preflights and credentialed answers for listed cross-origin apps. */
export function describeCors(ctx: ContractContext): void {
  describe('CORS for listed cross-origin apps', () => {
    it('answers a preflight from a listed origin with credentials allowed', async () => {
      const res = await ctx.client().request('OPTIONS', '/user', {
        origin: CORS_ORIGIN,
        headers: {
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect([200, 204]).toContain(res.status);
      expect(res.headers.get('access-control-allow-origin')).toBe(CORS_ORIGIN);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('access-control-allow-methods') ?? '').toContain('PATCH');
      expect((res.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain(
        'authorization',
      );
    });

    it('grants nothing to an origin that is not listed', async () => {
      const res = await ctx.client().request('OPTIONS', '/user', {
        origin: 'https://evil.example',
        headers: { 'access-control-request-method': 'PATCH' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const get = await ctx.client().request('GET', '/csrf', { origin: 'https://evil.example' });
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    });

    if (ctx.variant.strategy === 'jwt') {
      it('lets a listed app sign in and write with a Bearer token (no CSRF token)', async () => {
        const account = await ctx.signUp();
        const login = await ctx.client().request('POST', '/login', {
          json: { identifier: account.email, password: account.password },
          origin: CORS_ORIGIN,
        });
        expectSignedIn(ctx, login);
        expect(login.headers.get('access-control-allow-origin')).toBe(CORS_ORIGIN);
        const client = ctx.client();
        client.bearer = String((login.body as { accessToken: unknown }).accessToken);
        const res = await client.request('PATCH', '/user', {
          json: { firstName: 'Spa' },
          origin: CORS_ORIGIN,
          csrf: false,
        });
        expectUser(expectOk(res).user, { firstName: 'Spa' });
        expect(res.headers.get('access-control-allow-origin')).toBe(CORS_ORIGIN);
      });
    }
  });
}
