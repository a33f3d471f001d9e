import { generate } from 'otplib';
import { expect } from 'vitest';
import type { MemorySmsSender } from '../../sms/memory.js';
import type { ContractClient, ContractResponse } from './client.js';
import type { Account, ContractContext, SignedIn } from './context.js';
import { CSRF_COOKIE, expectOk, expectSignedIn, keysOf } from './expect.js';
import { contractSms } from './make-auth.js';

/** Default name of the trusted-device cookie. */
export const DEVICE_COOKIE = '__Host-portcullis.device';
/** A well-formed challenge that was never issued. */
export const UNKNOWN_CHALLENGE = `${'A'.repeat(22)}.${'A'.repeat(43)}`;
/** A wrong password, long enough to pass the schema. */
export const WRONG_PASSWORD = 'not the password at all';

const STEP_MS = 30_000;

/** An account with 2FA on, and the session it was enrolled from. */
export interface TwoFactorUser {
  /** The account's credentials. */
  readonly account: Account;
  /** The client signed in by password before 2FA was turned on (its session is fresh). */
  readonly enrolled: SignedIn;
  /** The TOTP secret (Base32) from the enroll answer. */
  readonly secret: string;
  /** The recovery codes from the confirm answer. */
  readonly recoveryCodes: readonly string[];
}

/** A sign-in stopped at its second factor. */
export interface PendingSignIn {
  /** The client that sent the password (its cookies, a device cookie included). */
  readonly client: ContractClient;
  /** The challenge token of the answer. */
  readonly challenge: string;
  /** The methods the answer offered. */
  readonly methods: readonly string[];
}

/** Helpers of the second-factor checks. */
export interface TwoFactorKit {
  /** The TOTP code of `secret` one 30-second step later (the fake clock moves; no sleep). */
  nextTotp(secret: string): Promise<string>;
  /** A code that `nextTotp` did not just give (for wrong-code checks). */
  wrongCode(code: string): string;
  /** Signs up, signs in, enrolls and confirms TOTP over HTTP. */
  enable(): Promise<TwoFactorUser>;
  /** `POST /login` that must answer `two_factor_required`; `client` keeps its cookies. */
  challenge(account: Account, client?: ContractClient): Promise<PendingSignIn>;
  /** `POST /2fa/verify` with a JSON body. */
  verify(client: ContractClient, body: Record<string, unknown>): Promise<ContractResponse>;
  /** Asserts a signed-in answer and makes `client` authenticated by it (CSRF or Bearer). */
  adopt(client: ContractClient, res: ContractResponse): void;
  /** `challenge` then `verify` with the next TOTP code: a client signed in with 2FA. */
  signIn2fa(user: TwoFactorUser, client?: ContractClient): Promise<ContractClient>;
  /** The 6-digit code of the latest sign-in code mail to `to`. */
  mailedCode(to: string): string;
  /** The suite's memory SMS sender; `undefined` when the Auth has none. */
  sms(): MemorySmsSender | undefined;
}

/** Builds the helpers over a contract context (valid inside `it` blocks). */
export function twoFactorKit(ctx: ContractContext): TwoFactorKit {
  const kit: TwoFactorKit = {
    nextTotp(secret) {
      const epoch = Math.floor(ctx.clock.advance(STEP_MS) / 1000);
      return generate({ secret, algorithm: 'sha1', digits: 6, period: 30, epoch });
    },
    wrongCode: (code) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0'),
    async enable() {
      const account = await ctx.signUp();
      const enrolled = await ctx.signIn(account);
      const enroll = await enrolled.client.request('POST', '/2fa/totp/enroll', {
        json: { password: account.password },
      });
      const started = expectOk(enroll);
      expect(keysOf(started)).toEqual(['otpauthUri', 'secret']);
      const secret = String(started.secret);
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(String(started.otpauthUri)).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]{32}/);
      const confirm = await enrolled.client.request('POST', '/2fa/totp/confirm', {
        json: { code: await kit.nextTotp(secret) },
      });
      const confirmed = expectOk(confirm);
      expect(keysOf(confirmed)).toEqual(['recoveryCodes']);
      const recoveryCodes = confirmed.recoveryCodes as string[];
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      return { account, enrolled, secret, recoveryCodes };
    },
    async challenge(account, client = ctx.client()) {
      const res = await client.request('POST', '/login', {
        json: { identifier: account.email, password: account.password },
      });
      const body = expectOk(res);
      expect(keysOf(body)).toEqual(['challenge', 'methods', 'status']);
      expect(body.status).toBe('two_factor_required');
      expect(body.challenge).toMatch(/^[\w-]+\.[\w-]+$/);
      return { client, challenge: String(body.challenge), methods: body.methods as string[] };
    },
    verify: (client, body) => client.request('POST', '/2fa/verify', { json: body }),
    adopt(client, res) {
      expectSignedIn(ctx, res);
      const body = res.body as { accessToken?: string; refreshToken?: string };
      if (ctx.variant.strategy === 'cookie') client.csrfToken = client.jar.get(CSRF_COOKIE);
      else client.bearer = body.accessToken;
      if (body.refreshToken !== undefined) client.refreshToken = body.refreshToken;
    },
    async signIn2fa(user, client) {
      const pending = await kit.challenge(user.account, client);
      const code = await kit.nextTotp(user.secret);
      const res = await kit.verify(pending.client, {
        challenge: pending.challenge,
        method: 'totp',
        code,
      });
      kit.adopt(pending.client, res);
      return pending.client;
    },
    mailedCode(to) {
      const mail = ctx.mailer.find(to, 'email-otp');
      const code = /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1];
      if (code === undefined) throw new Error(`http contract: no sign-in code mailed to ${to}`);
      return code;
    },
    sms: () => contractSms(ctx.auth()),
  };
  return kit;
}
