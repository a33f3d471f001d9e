import { describe, expect, it } from 'vitest';
import { softwareAuthenticator } from '../webauthn.js';
import type { ContractClient, ContractResponse } from './client.js';
import type { ContractContext, SignedIn } from './context.js';
import { APP_URL } from './context.js';
import { cookieOf, expectError, expectOk, expectUser, expectValidation } from './expect.js';
import { twoFactorKit } from './two-factor-kit.js';

type Authenticator = ReturnType<typeof softwareAuthenticator>;

/** Registers a passkey of `key` for a signed-in client; resolves to the `passkey` object. */
async function register(
  client: ContractClient,
  key: Authenticator,
  name?: string,
): Promise<Record<string, unknown>> {
  const options = expectOk(await client.request('POST', '/passkeys/register/options'));
  const response = await key.register(options as never);
  const res = await client.request('POST', '/passkeys/register/verify', {
    json: { response, ...(name === undefined ? {} : { name }) },
  });
  expect(res.status).toBe(201);
  return (res.body as { passkey: Record<string, unknown> }).passkey;
}

/** A passkey sign-in on a new client; resolves to the answer and the client. */
async function passkeySignIn(
  ctx: ContractContext,
  key: Authenticator,
  json: Record<string, unknown> = {},
): Promise<{ client: ContractClient; res: ContractResponse }> {
  const client = ctx.client();
  const start = expectOk(await client.request('POST', '/passkeys/login/options', { json }));
  const response = await key.authenticate(start.options as never);
  const res = await client.request('POST', '/passkeys/login/verify', {
    json: { challengeId: start.challengeId, response },
  });
  return { client, res };
}

/** Asserts a signed-in answer as `/login` gives it for the variant. */
function expectSignedIn(ctx: ContractContext, res: ContractResponse): void {
  const body = expectOk(res);
  expect(body.status).toBe('signed_in');
  expectUser(body.user);
  if (ctx.variant.strategy === 'cookie') {
    expect(cookieOf(res, '__Host-portcullis.session')?.value).toMatch(/^[\w-]+\.[\w-]+$/);
  } else {
    expect(body.accessToken).toBeTypeOf('string');
  }
}

/** Makes a client of a signed-in answer able to call session routes. */
async function authenticate(ctx: ContractContext, client: ContractClient, res: ContractResponse) {
  if (ctx.variant.strategy === 'cookie') {
    await client.fetchCsrf();
    return;
  }
  const body = res.body as { accessToken: string; refreshToken?: string };
  client.bearer = body.accessToken;
  if (body.refreshToken !== undefined) client.refreshToken = body.refreshToken;
}

/** The 6-digit code of the latest magic-link mail to `to`. */
async function mailedCode(ctx: ContractContext, to: string): Promise<string> {
  const mail = await ctx.mailer.waitFor(to, 'magic-link');
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  expect(code).toBeDefined();
  return code ?? '';
}

/** Passkeys (`docs/passkeys.md`) and magic links (`docs/magic-links.md`). */
export function describePasswordless(ctx: ContractContext): void {
  /** A new account, signed in (fresh), with one passkey of a new authenticator. */
  const withPasskey = async (): Promise<{ ada: SignedIn; key: Authenticator; email: string }> => {
    const account = await ctx.signUp();
    const ada = await ctx.signIn(account);
    const key = softwareAuthenticator({ origin: APP_URL });
    await register(ada.client, key, 'Laptop');
    return { ada, key, email: account.email };
  };

  describe('passkeys', () => {
    it('registers a passkey (201) and lists it, without its credential id or key', async () => {
      const ada = await ctx.signIn(await ctx.signUp());
      const key = softwareAuthenticator({ origin: APP_URL });
      const passkey = await register(ada.client, key, 'Laptop');
      expect(Object.keys(passkey).sort()).toEqual(
        ['backedUp', 'createdAt', 'deviceType', 'id', 'lastUsedAt', 'name'].sort(),
      );
      expect(passkey).toMatchObject({ name: 'Laptop', lastUsedAt: null, backedUp: false });
      const list = expectOk(await ada.client.request('GET', '/passkeys'));
      expect(list.passkeys).toEqual([passkey]);
      expect(JSON.stringify(list)).not.toContain(key.credentials[0]?.id ?? 'none');
    });

    it('signs in with it as /login does, by identifier or discoverable', async () => {
      const { key, email } = await withPasskey();
      const discoverable = await passkeySignIn(ctx, key);
      expectSignedIn(ctx, discoverable.res);
      // A non-string identifier is a validation error, not a 500.
      expectValidation(
        await ctx.client().request('POST', '/passkeys/login/options', { json: { identifier: 5 } }),
        ['identifier'],
      );
      const byEmail = await passkeySignIn(ctx, key, { identifier: email });
      expectSignedIn(ctx, byEmail.res);
      await authenticate(ctx, byEmail.client, byEmail.res);
      expect((await byEmail.client.request('GET', '/session')).status).toBe(200);
    });

    it('answers 400 PASSKEY_INVALID for a replayed challenge and a forged response', async () => {
      const { key } = await withPasskey();
      const client = ctx.client();
      const start = expectOk(await client.request('POST', '/passkeys/login/options'));
      const response = await key.authenticate(start.options as never);
      const json = { challengeId: start.challengeId, response };
      expect((await client.request('POST', '/passkeys/login/verify', { json })).status).toBe(200);
      expectError(
        await ctx.client().request('POST', '/passkeys/login/verify', { json }),
        400,
        'PASSKEY_INVALID',
      );
      const again = expectOk(await client.request('POST', '/passkeys/login/options'));
      const forged = await key.authenticate(again.options as never);
      forged.response.signature = forged.response.authenticatorData;
      expectError(
        await client.request('POST', '/passkeys/login/verify', {
          json: { challengeId: again.challengeId, response: forged },
        }),
        400,
        'PASSKEY_INVALID',
      );
      expectValidation(
        await client.request('POST', '/passkeys/login/verify', {
          json: { challengeId: again.challengeId, response: 'nope' },
        }),
        ['response'],
      );
    });

    it('renames (200) and removes (204) a passkey; an unknown id is 404', async () => {
      const { ada } = await withPasskey();
      const second = await register(ada.client, softwareAuthenticator({ origin: APP_URL }));
      const renamed = await ada.client.request('PATCH', `/passkeys/${String(second.id)}`, {
        json: { name: 'Phone' },
      });
      expect(expectOk(renamed).passkey).toMatchObject({ id: second.id, name: 'Phone' });
      expectError(
        await ada.client.request('PATCH', '/passkeys/nope', { json: { name: 'x' } }),
        404,
        'NOT_FOUND',
      );
      const removed = await ada.client.request('DELETE', `/passkeys/${String(second.id)}`);
      expect(removed.status).toBe(204);
      expectError(
        await ada.client.request('DELETE', `/passkeys/${String(second.id)}`),
        404,
        'NOT_FOUND',
      );
    });

    it('answers a second-factor challenge with a passkey (POST /2fa/passkey/options, /2fa/verify)', async () => {
      const kit = twoFactorKit(ctx);
      const user = await kit.enable();
      // A security key without user verification: a second factor only.
      const key = softwareAuthenticator({ origin: APP_URL, userVerification: false });
      await register(user.enrolled.client, key);
      const pending = await kit.challenge(user.account);
      expect(pending.methods).toContain('passkey');
      const answer = await pending.client.request('POST', '/2fa/passkey/options', {
        json: { challenge: pending.challenge },
      });
      const { options } = expectOk(answer) as { options: Record<string, unknown> };
      const response = await key.authenticate(options as never);
      const res = await kit.verify(pending.client, {
        challenge: pending.challenge,
        method: 'passkey',
        response,
      });
      expectSignedIn(ctx, res);
      // Its passkey cannot sign in alone: it did not verify the user.
      expectError((await passkeySignIn(ctx, key)).res, 400, 'PASSKEY_INVALID');
    });

    it('needs a fresh session to register: 403 REAUTH_REQUIRED after 10 minutes', async () => {
      const bob = await ctx.signIn(await ctx.signUp());
      ctx.clock.advance(11 * 60_000);
      expectError(
        await bob.client.request('POST', '/passkeys/register/options'),
        403,
        'REAUTH_REQUIRED',
      );
    });
  });

  describe('magic links', () => {
    it('answers 202 link_sent alike for a known and an unknown address', async () => {
      const known = await ctx.signUp();
      const a = await ctx.client().request('POST', '/magic-link', { json: { email: known.email } });
      const b = await ctx
        .client()
        .request('POST', '/magic-link', { json: { email: 'nobody-here@example.com' } });
      expect(a.status).toBe(202);
      expect({ status: b.status, body: b.body }).toEqual({ status: a.status, body: a.body });
      expect(a.body).toEqual({ status: 'link_sent' });
    });

    it('signs in with the mailed link, once', async () => {
      const account = await ctx.signUp();
      await ctx.client().request('POST', '/magic-link', { json: { email: account.email } });
      const token = await ctx.mailToken(account.email, 'magic-link');
      const res = await ctx.client().request('POST', '/magic-link/verify', { json: { token } });
      expectSignedIn(ctx, res);
      expectError(
        await ctx.client().request('POST', '/magic-link/verify', { json: { token } }),
        400,
        'TOKEN_INVALID',
      );
    });

    it('signs in with the address and the mailed code; a wrong code is 400 CODE_INVALID', async () => {
      const account = await ctx.signUp();
      await ctx.client().request('POST', '/magic-link', { json: { email: account.email } });
      const code = await mailedCode(ctx, account.email);
      const wrong = code === '000000' ? '111111' : '000000';
      expectError(
        await ctx
          .client()
          .request('POST', '/magic-link/verify', { json: { email: account.email, code: wrong } }),
        400,
        'CODE_INVALID',
      );
      const res = await ctx
        .client()
        .request('POST', '/magic-link/verify', { json: { email: account.email, code } });
      expectSignedIn(ctx, res);
    });
  });
}
