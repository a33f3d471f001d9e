import type { VerifySecondFactorInput } from '../../sign-in/types.js';
import type { TrustedDeviceInfo } from '../../two-factor/types.js';
import type { HttpContext } from '../context.js';
import { cookieSpec, readCookie, serializeCookie } from '../cookies.js';
import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { challengeContext, clearAuthCookies, flag, pick, signInContext, stepUp } from './shared.js';
import { signedInResponse } from './signed-in.js';

const CODE_SENT = { status: 'code_sent' } as const;

/** The id half of the trusted-device cookie (`{id}.{secret}`), to mark the caller's device. */
function currentDeviceId(ctx: HttpContext): string | undefined {
  const token = readCookie(ctx.request, cookieSpec(ctx.config, 'device').name);
  const id = token?.split('.')[0];
  return id === undefined || id === '' ? undefined : id;
}

/** A trusted device as `GET /2fa/devices` shows it (the contract's keys, nothing else). */
function deviceView(d: TrustedDeviceInfo) {
  return {
    id: d.id,
    createdAt: d.createdAt,
    lastUsedAt: d.lastUsedAt,
    expiresAt: d.expiresAt,
    userAgent: d.userAgent,
    current: d.current,
  };
}

/**
 * `POST /2fa/verify`: the second step of a sign-in, answered like a signed-in `/login`. With
 * `rememberDevice`, the trusted-device cookie goes with it (HttpOnly, Path=/, for as long as the
 * device is trusted).
 */
async function verify(ctx: HttpContext): Promise<Response> {
  const body = await ctx.body();
  const input = pick<VerifySecondFactorInput>(body, ['challenge', 'method', 'code', 'response']);
  const remember = flag(body.rememberDevice);
  const result = await ctx.auth.verifySecondFactor(
    remember === undefined ? input : { ...input, rememberDevice: remember as boolean },
    challengeContext(ctx, signInContext(ctx)),
  );
  const device = result.trustedDevice;
  // The challenge is used up: its binding cookie goes too.
  const cookies = clearAuthCookies(ctx.config, ['challenge']);
  if (device !== undefined) {
    cookies.push(
      serializeCookie(
        cookieSpec(ctx.config, 'device'),
        device.token,
        (device.expiresAt - ctx.now()) / 1000,
      ),
    );
  }
  return signedInResponse(ctx, result, cookies);
}

/** Handlers of a signed-in user: the caller is authenticated (and CSRF-checked) first. */
const signedInHandlers = {
  enrollTotp: async (ctx) => {
    const { user } = await ctx.caller();
    const { password } = pick<{ password: string }>(await ctx.body(), ['password']);
    const { secret, otpauthUri } = await ctx.auth.twoFactor.totp.enroll(
      { userId: user.id, password },
      ctx.client,
    );
    return json(200, { secret, otpauthUri });
  },
  confirmTotp: async (ctx) => {
    const { user, session } = await ctx.caller();
    const { code } = pick<{ code: string }>(await ctx.body(), ['code']);
    const { recoveryCodes } = await ctx.auth.twoFactor.totp.confirm(
      { userId: user.id, code, sessionId: session.id },
      ctx.client,
    );
    return json(200, { recoveryCodes });
  },
  disableTwoFactor: async (ctx) => {
    const { user, session } = await ctx.caller();
    const input = pick<{ password: string; code: string }>(await ctx.body(), ['password', 'code']);
    await ctx.auth.twoFactor.disable(
      { ...input, userId: user.id, sessionId: session.id },
      ctx.client,
    );
    // Every trusted device is gone: this browser's cookie opens nothing any more.
    return noContent(clearAuthCookies(ctx.config, ['device']));
  },
  regenerateRecoveryCodes: async (ctx) => {
    const { user, session } = await ctx.caller();
    const body = await ctx.body();
    const { password } = pick<{ password: string }>(body, ['password']);
    const { recoveryCodes } = await ctx.auth.twoFactor.recoveryCodes.regenerate(
      { userId: user.id, password, ...stepUp(body, session.id) },
      ctx.client,
    );
    return json(200, { recoveryCodes });
  },
  startPhoneVerification: async (ctx) => {
    const { user, session } = await ctx.caller();
    const body = await ctx.body();
    const input = pick<{ phone: string; password: string }>(body, ['phone', 'password']);
    await ctx.auth.twoFactor.phone.start(
      { ...input, userId: user.id, ...stepUp(body, session.id) },
      ctx.client,
    );
    return json(202, CODE_SENT);
  },
  confirmPhone: async (ctx) => {
    const { user } = await ctx.caller();
    const { code } = pick<{ code: string }>(await ctx.body(), ['code']);
    await ctx.auth.twoFactor.phone.confirm({ userId: user.id, code }, ctx.client);
    return noContent();
  },
  listTrustedDevices: async (ctx) => {
    const { user } = await ctx.caller();
    const current = currentDeviceId(ctx);
    const devices = await ctx.auth.twoFactor.devices.list(
      user.id,
      current === undefined ? {} : { currentDeviceId: current },
    );
    return json(200, { devices: devices.map(deviceView) });
  },
  revokeTrustedDevice: async (ctx) => {
    const { user } = await ctx.caller();
    const id = ctx.params.id as string;
    await ctx.auth.twoFactor.devices.revoke(user.id, id, ctx.client);
    return noContent(id === currentDeviceId(ctx) ? clearAuthCookies(ctx.config, ['device']) : []);
  },
} satisfies Handlers;

/**
 * Handlers of the Second factor operations of `operations/two-factor.ts`, by operationId.
 * `/2fa/verify`, `/2fa/email/send` and
 * `/2fa/sms/send` carry a sign-in challenge instead of a session; like `/login`, a browser's
 * cross-site POST to them is refused by the handler.
 */
export const twoFactorHandlers = {
  verifySecondFactor: verify,
  sendEmailCode: async (ctx) => {
    const { challenge } = pick<{ challenge: string }>(await ctx.body(), ['challenge']);
    await ctx.auth.twoFactor.sendEmailCode({ challenge }, challengeContext(ctx));
    return json(202, CODE_SENT);
  },
  passkeyFactorOptions: async (ctx) => {
    const { challenge } = pick<{ challenge: string }>(await ctx.body(), ['challenge']);
    return json(200, await ctx.auth.passkeys.secondFactorOptions(challenge, challengeContext(ctx)));
  },
  sendSmsCode: async (ctx) => {
    const { challenge } = pick<{ challenge: string }>(await ctx.body(), ['challenge']);
    await ctx.auth.twoFactor.sendSmsCode({ challenge }, challengeContext(ctx));
    return json(202, CODE_SENT);
  },
  ...signedInHandlers,
} satisfies Handlers;
