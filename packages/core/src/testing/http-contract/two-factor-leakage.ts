import { describe, expect, it } from 'vitest';
import type { Exchange } from './client.js';
import type { ContractContext } from './context.js';
import { cookieOf } from './expect.js';
import { DEVICE_COOKIE, type TwoFactorKit } from './two-factor-kit.js';

/** One secret of the scan and the one exchange kind allowed to show it. */
interface Secret {
  readonly value: string;
  /** The route whose answer hands it out (its body only); none: nowhere. */
  readonly route?: string;
}

const route = (e: Exchange) => e.path.replace(/\/$/, '');

/** Everything a client can read of an exchange, the device cookie's own value left out. */
function visible(e: Exchange): string {
  const cookies = e.setCookies.map((c) =>
    c.name === DEVICE_COOKIE && c.value !== '' ? c.raw.replace(c.value, '') : c.raw,
  );
  return JSON.stringify({ headers: e.headers, cookies, body: e.body });
}

/** Short codes are matched as whole numbers, so a timestamp holding the digits is no match. */
function finder(value: string): (text: string) => boolean {
  if (/^\d+$/.test(value)) {
    const re = new RegExp(`(?<!\\d)${value}(?!\\d)`);
    return (text) => re.test(text);
  }
  const forms = [value, encodeURIComponent(value), value.replace(/-/g, '')];
  return (text) => forms.some((f) => text.includes(f));
}

/**
 * No TOTP secret (but in the enroll answer), code, recovery code (but where they are handed
 * out), challenge (but in the `/login` answer) or trusted-device token (but in its own cookie)
 * in any response, log line or event of a whole second-factor lifecycle.
 */
export function describeTwoFactorLeakage(ctx: ContractContext, kit: TwoFactorKit): void {
  describe('second factor: no secret in responses, logs or events', () => {
    it('scans a lifecycle: TOTP secret, codes, recovery codes, challenges, device tokens', async () => {
      const start = ctx.exchanges.length;
      const logStart = ctx.logs.length;
      const eventStart = ctx.events.length;
      const secrets: Secret[] = [];
      const base = ctx.basePath;
      const user = await kit.enable();
      secrets.push({ value: user.secret, route: `${base}/2fa/totp/enroll` });
      for (const value of user.recoveryCodes) {
        secrets.push({ value, route: `${base}/2fa/totp/confirm` });
      }
      const { account } = user;
      /** A sign-in through `method`; `code` is ignored for email (the mailed one is used). */
      const signIn = async (method: string, given: string, remember = false) => {
        const pending = await kit.challenge(account);
        secrets.push({ value: pending.challenge, route: `${base}/login` });
        if (method === 'email') {
          await pending.client.request('POST', '/2fa/email/send', {
            json: { challenge: pending.challenge },
          });
        }
        const code = method === 'email' ? kit.mailedCode(account.email) : given;
        const proof = { challenge: pending.challenge, method, code, rememberDevice: remember };
        const res = await kit.verify(pending.client, proof);
        kit.adopt(pending.client, res);
        // Recovery codes are listed with the answer that hands them out.
        if (method !== 'recovery') secrets.push({ value: code });
        const device = cookieOf(res, DEVICE_COOKIE)?.value;
        if (device !== undefined) {
          secrets.push({ value: device }, { value: device.split('.')[1] ?? device });
        }
        return pending.client;
      };
      const wrong = await kit.challenge(account);
      secrets.push({ value: wrong.challenge, route: `${base}/login` });
      const bad = { challenge: wrong.challenge, method: 'totp', code: '000000' };
      await kit.verify(wrong.client, bad);
      const remembered = await signIn('email', '', true);
      const client = await signIn('totp', await kit.nextTotp(user.secret));
      await signIn('recovery', user.recoveryCodes[0] ?? '');
      const password = account.password;
      const regen = await client.request('POST', '/2fa/recovery-codes', { json: { password } });
      for (const value of (regen.body as { recoveryCodes: string[] }).recoveryCodes) {
        secrets.push({ value, route: `${base}/2fa/recovery-codes` });
      }
      const sms = kit.sms();
      if (sms !== undefined) {
        const phone = '+14155550199';
        await client.request('POST', '/2fa/phone', { json: { phone, password } });
        const code = sms.lastCode(phone) ?? '';
        await client.request('POST', '/2fa/phone/confirm', { json: { code } });
        secrets.push({ value: code });
        const pending = await kit.challenge(account);
        await pending.client.request('POST', '/2fa/sms/send', {
          json: { challenge: pending.challenge },
        });
        secrets.push({ value: pending.challenge, route: `${base}/login` });
        const smsCode = sms.lastCode(phone) ?? '';
        secrets.push({ value: smsCode });
        const proof = { challenge: pending.challenge, method: 'sms', code: smsCode };
        kit.adopt(pending.client, await kit.verify(pending.client, proof));
      }
      await remembered.request('GET', '/2fa/devices');
      await remembered.request('POST', '/login', {
        json: { identifier: account.email, password },
      });
      const reauth = { password, code: await kit.nextTotp(user.secret), method: 'totp' };
      kit.adopt(client, await client.request('POST', '/reauthenticate', { json: reauth }));
      secrets.push({ value: reauth.code });
      const off = await kit.nextTotp(user.secret);
      await client.request('POST', '/2fa/disable', { json: { password, code: off } });
      secrets.push({ value: off });

      const exchanges = ctx.exchanges.slice(start);
      expect(exchanges.length).toBeGreaterThan(15);
      const logs = JSON.stringify(ctx.logs.slice(logStart));
      const events = JSON.stringify(ctx.events.slice(eventStart));
      for (const secret of secrets) {
        expect(secret.value.length, 'a scanned secret is not empty').toBeGreaterThan(5);
        const found = finder(secret.value);
        for (const e of exchanges) {
          const allowed = secret.route !== undefined && route(e) === secret.route;
          const text = allowed ? visible({ ...e, body: '' }) : visible(e);
          expect(found(text), `${e.method} ${e.path} shows a secret`).toBe(false);
        }
        expect(found(logs), 'a log line shows a secret').toBe(false);
        expect(found(events), 'an event shows a secret').toBe(false);
      }
    });
  });
}
