import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { pick } from './shared.js';
import { signInAnswer } from './signed-in.js';

type Proof = { password?: string; code?: string; method?: 'totp' | 'recovery' };
const PROOF = ['password', 'code', 'method'] as const;

/** Handlers of the passkey and magic-link operations of `operations/passkeys.ts`. */
export const passwordlessHandlers = {
  passkeyRegistrationOptions: async (ctx) => {
    const { user, session } = await ctx.caller();
    const proof = pick<Proof>(await ctx.body(), PROOF);
    const options = await ctx.auth.passkeys.registrationOptions(
      { userId: user.id, sessionId: session.id, ...proof },
      ctx.client,
    );
    return json(200, options);
  },
  registerPasskey: async (ctx) => {
    const { user, session } = await ctx.caller();
    const body = pick<{ response: unknown; name?: string }>(await ctx.body(), ['response', 'name']);
    const passkey = await ctx.auth.passkeys.register(
      { userId: user.id, sessionId: session.id, ...body },
      ctx.client,
    );
    return json(201, { passkey });
  },
  passkeyLoginOptions: async (ctx) => {
    const body = pick<{ identifier?: string }>(await ctx.body(), ['identifier']);
    return json(200, await ctx.auth.passkeys.loginOptions(body, ctx.client));
  },
  passkeyLogin: async (ctx) => {
    const body = pick<{ challengeId: string; response: unknown }>(await ctx.body(), [
      'challengeId',
      'response',
    ]);
    return signInAnswer(ctx, (context) => ctx.auth.passkeys.signIn(body, context));
  },
  listPasskeys: async (ctx) => {
    const { user } = await ctx.caller();
    return json(200, { passkeys: await ctx.auth.passkeys.list(user.id) });
  },
  renamePasskey: async (ctx) => {
    const { user, session } = await ctx.caller();
    const { name } = pick<{ name: string }>(await ctx.body(), ['name']);
    const passkey = await ctx.auth.passkeys.rename(
      { userId: user.id, passkeyId: ctx.params.id as string, name, sessionId: session.id },
      ctx.client,
    );
    return json(200, { passkey });
  },
  removePasskey: async (ctx) => {
    const { user, session } = await ctx.caller();
    const proof = pick<Proof>(await ctx.body(), PROOF);
    await ctx.auth.passkeys.remove(
      { userId: user.id, passkeyId: ctx.params.id as string, sessionId: session.id, ...proof },
      ctx.client,
    );
    return noContent();
  },
  requestMagicLink: async (ctx) => {
    const { email } = pick<{ email: string }>(await ctx.body(), ['email']);
    return json(202, await ctx.auth.magicLink.request(email, ctx.client));
  },
  verifyMagicLink: async (ctx) => {
    const body = pick<{ token: string } | { email: string; code: string }>(await ctx.body(), [
      'token',
      'email',
      'code',
    ]);
    return signInAnswer(ctx, (context) => ctx.auth.magicLink.verify(body, context));
  },
} satisfies Handlers;
