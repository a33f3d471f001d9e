import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { generationOf, sameGeneration, tokenGeneration } from '../credentials/generation.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../crypto/encoding.js';
import { hmacSha256, sha256Base64Url } from '../crypto/hash.js';
import {
  createSplitToken,
  parseSplitToken,
  randomToken,
  TOKEN_ID_BYTES,
} from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import {
  authenticationResponseSchema,
  registrationResponseSchema,
} from '../flows/webauthn-input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { PasskeyRecord } from '../storage/types/passkeys.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';
import type { UserRecord } from '../storage/types/users.js';
import { openChallenge } from '../two-factor/challenge.js';
import { challengeSchema } from '../two-factor/input.js';
import {
  counterRegressed,
  passkeyFactorAvailable,
  passkeyFactorOptions,
  verifyAssertion,
  webauthn,
} from '../two-factor/passkey-check.js';
import { MAX_EMAIL_LENGTH, normalizeIdentifier } from '../users/normalize.js';
import { finishSignIn } from './complete.js';
import { removeWayIn, requireMethodChangeProof } from './methods.js';
import { stepUpFields } from './step-up.js';
import type { LoginResult } from './types.js';

/**
 * What a sign-in with a user-verifying passkey records (RFC 8176): a hardware-held key (`hwk`)
 * and the user's verification by the authenticator (`user`), two factors in one.
 */
export const PASSKEY_AMR = ['hwk', 'user'] as const;
/** Keyring purpose of the key that makes the stand-in credential ids of unknown identifiers. */
const DECOY_KEY = 'passkey-decoy';
/** The COSE algorithms accepted: EdDSA, ES256, RS256. */
const ALGORITHMS = [-8, -7, -257];

/** A passkey as the API shows it (no credential id, no key). */
export interface PasskeyView {
  /** Its id (`PATCH`/`DELETE /passkeys/:id`). */
  readonly id: string;
  /** The user's name for it. */
  readonly name: string;
  /** When it was registered, epoch ms. */
  readonly createdAt: number;
  /** When it last signed in, epoch ms, or `null`. */
  readonly lastUsedAt: number | null;
  /** Whether it is backed up (synced to the user's other devices) as of its last use. */
  readonly backedUp: boolean;
  /** `multiDevice` (a synced passkey) or `singleDevice` (a security key, a device-bound key). */
  readonly deviceType: 'singleDevice' | 'multiDevice';
}

/** The API view of a stored passkey. */
export function toPasskeyView(p: PasskeyRecord): PasskeyView {
  return {
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    lastUsedAt: p.lastUsedAt ?? null,
    backedUp: p.backedUp,
    deviceType: p.deviceType,
  };
}

/** The resolved passkey options. @throws AuthError `NOT_FOUND` when passkeys are off */
function settings(rt: AuthRuntime) {
  const config = rt.config.passkeys;
  if (config === false) throw new AuthError('NOT_FOUND');
  return config;
}

/** `PASSKEY_INVALID` with the reason in `details` (`path: 'reason'`). */
function invalid(reason: string): AuthError {
  return new AuthError('PASSKEY_INVALID', { details: [{ path: 'reason', message: reason }] });
}

/** A passkey's name: 1 to 64 characters, no control characters. */
const nameField = text('name', 64);

/** Input of `POST /passkeys/register/options`: the fresh-session proof. */
export const registrationOptionsSchema = v.object({
  password: v.optional(passwordField()),
  code: stepUpFields.code,
  method: stepUpFields.method,
});
/** Input of `POST /passkeys/register/verify`. */
export const registerPasskeySchema = v.object({
  response: registrationResponseSchema,
  name: v.optional(nameField),
});
/** Input of `POST /passkeys/login/options`. */
export const passkeyLoginOptionsSchema = v.object({
  identifier: v.optional(text('identifier', MAX_EMAIL_LENGTH)),
});
/** Input of `POST /passkeys/login/verify`. */
export const passkeyLoginSchema = v.object({
  challengeId: text('challengeId', 256),
  response: authenticationResponseSchema,
});
/** Input of `PATCH /passkeys/:id`. */
export const renamePasskeySchema = v.object({ name: nameField });

/** The WebAuthn challenge of a stored challenge token: its bytes are the token's text. */
function challengeOf(token: string): string {
  return toBase64Url(utf8(token));
}

/** Stores a challenge token; resolves to the token (`selector.secret`). */
async function issueChallenge(
  rt: AuthRuntime,
  purpose: string,
  options: { userId?: string; payload: OneTimeTokenRecord['payload'] },
): Promise<string> {
  const token = createSplitToken({ random: rt.config.random });
  const created = await rt.storage.tokens.create({
    purpose,
    selector: token.id,
    verifierHash: token.secretHash,
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    expiresAt: rt.now() + settings(rt).challengeTtlSeconds * 1000,
    attempts: 0,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
  if (created === 'conflict') {
    throw new AuthError('INTERNAL', { cause: new Error('challenge selector collision') });
  }
  return token.token;
}

/** Uses up a challenge token (single use): its record, or `undefined` (unknown, used, expired). */
async function consumeChallenge(
  rt: AuthRuntime,
  purpose: string,
  token: string,
): Promise<OneTimeTokenRecord | undefined> {
  const parsed = parseSplitToken(token);
  if (parsed === undefined) return undefined;
  const used = await rt.storage.tokens.consume(purpose, parsed.id, {
    verifierHash: sha256Base64Url(parsed.secret),
    now: rt.now(),
  });
  return used.status === 'ok' ? used.record : undefined;
}

/**
 * Starts registering a passkey for the signed-in user: the proof a new way to sign in needs
 * (`requireMethodChangeProof`: a fresh session or the password; for 2FA users a factor), then
 * `PublicKeyCredentialCreationOptionsJSON` with the user's passkeys excluded, a resident key and
 * user verification preferred, and a challenge kept server-side (single use, bound to this
 * session, `passkeys.challengeTtlSeconds`). A new start ends the previous one.
 * @throws AuthError `NOT_FOUND` (passkeys off), `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`,
 * `CODE_INVALID`, `EMAIL_NOT_VERIFIED`, `VALIDATION_FAILED`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function passkeyRegistrationOptions(
  rt: AuthRuntime,
  input: {
    userId: string;
    sessionId: string;
    password?: string | undefined;
    code?: string | undefined;
    method?: 'totp' | 'recovery' | undefined;
  },
  context: RequestContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const config = settings(rt);
  const proof = parseInput(registrationOptionsSchema, {
    password: input.password,
    code: input.code,
    method: input.method,
  });
  const user = await requireMethodChangeProof(
    rt,
    { userId: input.userId, sessionId: input.sessionId, ...proof },
    context,
  );
  await rt.storage.tokens.deleteByUser(user.id, { purpose: TOKEN_PURPOSES.passkeyRegistration });
  const token = await issueChallenge(rt, TOKEN_PURPOSES.passkeyRegistration, {
    userId: user.id,
    payload: { session: input.sessionId, generation: generationOf(user) },
  });
  const existing = await rt.storage.passkeys.listByUser(user.id);
  const { generateRegistrationOptions } = await webauthn();
  const displayName = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return generateRegistrationOptions({
    rpName: config.rpName,
    rpID: config.rpId,
    userName: user.email,
    userDisplayName: displayName === '' ? user.email : displayName,
    // The user handle is the user's id (random, no personal data): a discoverable sign-in names
    // the user by it.
    userID: utf8(user.id) as Uint8Array<ArrayBuffer>,
    challenge: utf8(token) as Uint8Array<ArrayBuffer>,
    timeout: config.challengeTtlSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({
      id: p.credentialId,
      transports: p.transports as ('internal' | 'hybrid' | 'usb' | 'nfc' | 'ble')[],
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/**
 * Finishes registering a passkey: the response's challenge must be a live registration
 * challenge of this user and session (used up here, once), and the response must verify
 * (`@simplewebauthn/server`: origin among `passkeys.origins`, RP ID `passkeys.rpId`, user
 * presence, signature). The credential id must be new to every user. A credential change
 * since the start (a password reset) ends it.
 * @throws AuthError `PASSKEY_INVALID` (details: `challenge`, `verification`, `credential_in_use`),
 * `VALIDATION_FAILED`, `UNAUTHENTICATED`, `NOT_FOUND` (passkeys off)
 */
export async function registerPasskey(
  rt: AuthRuntime,
  input: { userId: string; sessionId: string; response: unknown; name?: unknown },
  context: RequestContext,
): Promise<PasskeyView> {
  const config = settings(rt);
  const { response, name } = parseInput(registerPasskeySchema, {
    response: input.response,
    name: input.name,
  });
  let challenge: OneTimeTokenRecord | undefined;
  let challengeOk = false;
  const { verifyRegistrationResponse } = await webauthn();
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      // The challenge names its own token: used up here, whatever follows.
      expectedChallenge: async (presented) => {
        const bytes = fromBase64Url(presented);
        if (bytes === undefined) return false;
        challenge = await consumeChallenge(rt, TOKEN_PURPOSES.passkeyRegistration, fromUtf8(bytes));
        challengeOk =
          challenge !== undefined &&
          challenge.userId === input.userId &&
          challenge.payload?.session === input.sessionId;
        return challengeOk;
      },
      expectedOrigin: [...config.origins],
      expectedRPID: config.rpId,
      requireUserVerification: false,
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (error) {
    if (error instanceof AuthError) throw error;
    const reason = challengeOk ? 'verification' : 'challenge';
    await failed(rt, input.userId, reason, context);
    throw invalid(reason);
  }
  if (!verified.verified) {
    await failed(rt, input.userId, 'verification', context);
    throw invalid('verification');
  }
  const user = await rt.storage.users.getById(input.userId);
  const generation = challenge?.payload?.generation;
  const current = (u: UserRecord | undefined): u is UserRecord =>
    u !== undefined && !u.disabled && generationOf(u) === generation;
  if (!current(user)) throw new AuthError('UNAUTHENTICATED');
  const info = verified.registrationInfo;
  const now = rt.now();
  const record: PasskeyRecord = {
    id: randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random }),
    userId: user.id,
    credentialId: info.credential.id,
    publicKey: toBase64Url(info.credential.publicKey),
    counter: info.credential.counter,
    transports: [...(info.credential.transports ?? response.response.transports ?? [])],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name: name ?? defaultName(context),
    createdAt: now,
  };
  if ((await rt.storage.passkeys.create(record)) === 'conflict') {
    await failed(rt, user.id, 'credential_in_use', context);
    throw invalid('credential_in_use');
  }
  // A credential change between the check above and the write would not have seen this
  // passkey: look again, and take it back if the credentials moved meanwhile.
  if (!current(await rt.storage.users.getById(user.id))) {
    await rt.storage.passkeys.delete(record.id, { userId: user.id, keepOne: false });
    throw new AuthError('UNAUTHENTICATED');
  }
  await rt.emit(
    {
      type: 'passkey.registered',
      userId: user.id,
      sessionId: input.sessionId,
      data: {
        passkeyId: record.id,
        deviceType: record.deviceType,
        userVerified: info.userVerified,
      },
    },
    context,
  );
  return toPasskeyView(record);
}

/** A name for a passkey registered without one: where it was made, as the browser says. */
function defaultName(context: RequestContext): string {
  const agent = context.userAgent ?? '';
  const os = /iPhone|iPad/.test(agent)
    ? 'iOS'
    : /Android/.test(agent)
      ? 'Android'
      : /Mac OS X/.test(agent)
        ? 'macOS'
        : /Windows/.test(agent)
          ? 'Windows'
          : /Linux|CrOS/.test(agent)
            ? 'Linux'
            : undefined;
  return os === undefined ? 'Passkey' : `Passkey on ${os}`;
}

/** `passkey.failed`, budgeted like every event anyone can cause at will. */
async function failed(
  rt: AuthRuntime,
  userId: string | undefined,
  reason: string,
  context: RequestContext,
): Promise<void> {
  await rt.emit(
    { type: 'passkey.failed', ...(userId === undefined ? {} : { userId }), data: { reason } },
    context,
  );
}

/**
 * Starts a passkey sign-in: `PublicKeyCredentialRequestOptionsJSON` (user verification
 * preferred) and an opaque `challengeId` (single use, `passkeys.challengeTtlSeconds`, bound to
 * nobody until it is answered). Without `identifier`, no credentials are listed: the browser
 * offers the discoverable passkeys it holds (also as autofill, conditional UI). With one, the
 * user's passkeys are listed (without transports); an unknown identifier, or one without
 * passkeys, gets one stand-in id derived from it under the server's key (the same on every
 * call) after the same lookups, so it looks like an account with one passkey. Throttled per client IP (`passkeyPerIp`).
 * @throws AuthError `VALIDATION_FAILED`, `RATE_LIMITED`, `NOT_FOUND` (passkeys off)
 */
export async function passkeyLoginOptions(
  rt: AuthRuntime,
  input: { identifier?: unknown },
  context: RequestContext,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const config = settings(rt);
  const { identifier } = parseInput(passkeyLoginOptionsSchema, { identifier: input.identifier });
  if (context.ip !== undefined) await enforceRule(rt, 'passkeyPerIp', context.ip);
  let allow: { id: string }[] = [];
  let expectedUser: string | undefined;
  if (identifier !== undefined) {
    const id = normalizeIdentifier(identifier);
    const users = rt.storage.users;
    const user =
      id.kind === 'email' ? await users.getByEmail(id.key) : await users.getByUsername(id.key);
    // 32 bytes, as most platform authenticators' credential ids.
    const decoy = toBase64Url(hmacSha256(rt.keyring.deriveKey(DECOY_KEY), id.key));
    // The same round trips for a known and an unknown identifier.
    const passkeys = await rt.storage.passkeys.listByUser(user?.id ?? decoy);
    if (user !== undefined && passkeys.length > 0) {
      expectedUser = user.id;
      allow = passkeys.map((p) => ({ id: p.credentialId }));
    } else {
      allow = [{ id: decoy }];
    }
  }
  // A challenge for an identifier answers only for that user's passkeys: for a stand-in, for
  // none (else answering it with any passkey would tell a stand-in from a real list).
  const challengeId = await issueChallenge(rt, TOKEN_PURPOSES.passkeyChallenge, {
    payload: identifier === undefined ? {} : { identified: true, userId: expectedUser ?? '' },
  });
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: config.rpId,
    challenge: utf8(challengeId) as Uint8Array<ArrayBuffer>,
    timeout: config.challengeTtlSeconds * 1000,
    userVerification: 'preferred',
    // No transports: a stand-in's would tell it apart (the browser tries every transport).
    allowCredentials: allow,
  });
  return { challengeId, options };
}

/**
 * Signs in with a passkey: the challenge is used up (single use), the credential looked up by
 * its id (unique across users; with an `identifier` at the start it must be that user's, and a
 * user handle must name its owner), and the assertion verified (`@simplewebauthn/server`:
 * origin, RP ID, user presence, signature). A passkey that verified the user (PIN, biometrics)
 * is two factors in one: the session opens without a password and without a second-factor
 * challenge, with `amr` `["hwk","user"]`, and counts as second-factor fresh. One that did not is
 * refused here (`user_verification_required`). A signature counter that went backwards is
 * reported (`passkey.counter_regressed`, a possible clone) and refused for a device-bound
 * passkey; a synced one (which counts per device, or not at all) still signs in. The sign-in
 * lockout of wrong passwords does not apply: a password guesser cannot lock the owner out of
 * their passkey. Throttled per client IP (`passkeyPerIp`).
 * @throws AuthError `PASSKEY_INVALID` (details: `challenge`, `unknown_credential`, `user`,
 * `verification`, `user_verification_required`, `counter`), `ACCOUNT_DISABLED`,
 * `EMAIL_NOT_VERIFIED`, `VALIDATION_FAILED`, `RATE_LIMITED`, `NOT_FOUND` (passkeys off)
 */
export async function signInWithPasskey(
  rt: AuthRuntime,
  input: { challengeId: unknown; response: unknown },
  context: RequestContext,
): Promise<LoginResult> {
  settings(rt);
  const { challengeId, response } = parseInput(passkeyLoginSchema, {
    challengeId: input.challengeId,
    response: input.response,
  });
  if (context.ip !== undefined) await enforceRule(rt, 'passkeyPerIp', context.ip);
  const challenge = await consumeChallenge(rt, TOKEN_PURPOSES.passkeyChallenge, challengeId);
  if (challenge === undefined) {
    await failed(rt, undefined, 'challenge', context);
    throw invalid('challenge');
  }
  const passkey = await rt.storage.passkeys.getByCredentialId(response.id);
  if (passkey === undefined) {
    await failed(rt, undefined, 'unknown_credential', context);
    throw invalid('unknown_credential');
  }
  const expectedUser = challenge.payload?.userId;
  const handle = response.response.userHandle;
  if (
    (challenge.payload?.identified === true && expectedUser !== passkey.userId) ||
    (handle !== undefined && handle !== '' && handle !== toBase64Url(utf8(passkey.userId)))
  ) {
    await failed(rt, passkey.userId, 'user', context);
    throw invalid('user');
  }
  const check = await verifyAssertion(
    rt,
    passkey,
    response as unknown as AuthenticationResponseJSON,
    challengeOf(challengeId),
  );
  if (!check.ok) {
    await failed(rt, passkey.userId, 'verification', context);
    throw invalid('verification');
  }
  if (!check.userVerified) {
    await failed(rt, passkey.userId, 'user_verification_required', context);
    throw invalid('user_verification_required');
  }
  if (check.regressed && (await counterRegressed(rt, passkey, check.newCounter, context))) {
    throw invalid('counter');
  }
  await rt.storage.passkeys.recordUse(passkey.id, {
    counter: check.newCounter,
    backedUp: check.backedUp,
    now: rt.now(),
  });
  const user = await rt.storage.users.getById(passkey.userId);
  if (user === undefined) throw invalid('unknown_credential');
  if (user.disabled) {
    await rt.emit({ type: 'login.failed', userId: user.id, data: { reason: 'disabled' } }, context);
    throw new AuthError('ACCOUNT_DISABLED');
  }
  if (rt.config.emailVerification.required && user.emailVerifiedAt === undefined) {
    await rt.emit(
      { type: 'login.failed', userId: user.id, data: { reason: 'email_not_verified' } },
      context,
    );
    throw new AuthError('EMAIL_NOT_VERIFIED');
  }
  return finishSignIn(rt, user, {
    amr: PASSKEY_AMR,
    secondFactorProven: true,
    context,
    eventData: { passkeyId: passkey.id },
  });
}

/** The user's passkeys, oldest first. @throws AuthError `NOT_FOUND` (passkeys off) */
export async function listPasskeys(rt: AuthRuntime, userId: string): Promise<PasskeyView[]> {
  settings(rt);
  return (await rt.storage.passkeys.listByUser(userId)).map(toPasskeyView);
}

/** Renames one of the user's passkeys. @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED` */
export async function renamePasskey(
  rt: AuthRuntime,
  input: { userId: string; passkeyId: string; name: unknown; sessionId?: string | undefined },
  context: RequestContext,
): Promise<PasskeyView> {
  settings(rt);
  const { name } = parseInput(renamePasskeySchema, { name: input.name });
  const result = await rt.storage.passkeys.rename(input.passkeyId, { userId: input.userId, name });
  const stored = await rt.storage.passkeys.get(input.passkeyId);
  if (result === 'not_found' || stored === undefined || stored.userId !== input.userId) {
    throw new AuthError('NOT_FOUND');
  }
  await rt.emit(
    {
      type: 'passkey.renamed',
      userId: input.userId,
      ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
      data: { passkeyId: stored.id },
    },
    context,
  );
  return toPasskeyView(stored);
}

/**
 * Removes one of the user's passkeys: the proof a change of the ways to sign in needs (a fresh
 * session or the password; for 2FA users a factor), and refused when it is the last way to
 * sign in (`removeWayIn`).
 * @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED` (the last way in), `REAUTH_REQUIRED`,
 * `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function removePasskey(
  rt: AuthRuntime,
  input: {
    userId: string;
    passkeyId: string;
    sessionId: string;
    password?: string | undefined;
    code?: string | undefined;
    method?: 'totp' | 'recovery' | undefined;
  },
  context: RequestContext,
): Promise<void> {
  settings(rt);
  const proof = parseInput(registrationOptionsSchema, {
    password: input.password,
    code: input.code,
    method: input.method,
  });
  const user = await requireMethodChangeProof(
    rt,
    { userId: input.userId, sessionId: input.sessionId, ...proof },
    context,
  );
  const removed = await removeWayIn(
    rt,
    user,
    rt.storage.passkeys,
    input.passkeyId,
    async () => (await rt.storage.accounts.listByUser(user.id)).length,
  );
  await rt.emit(
    {
      type: 'passkey.removed',
      userId: user.id,
      sessionId: input.sessionId,
      data: { passkeyId: removed.id },
    },
    context,
  );
}

/**
 * The `navigator.credentials.get()` options for answering a sign-in's second-factor challenge
 * with a passkey (`method: 'passkey'` of `verifySecondFactor`, with the browser's response):
 * the user's passkeys, user verification preferred but not needed (the first factor was the
 * other one). The WebAuthn challenge is derived from the sign-in challenge, which stays open
 * until it is answered. A challenge bound to a browser opens only with its binding.
 * @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `VALIDATION_FAILED` (no passkey to offer),
 * `NOT_FOUND` (passkeys off)
 */
export async function secondFactorPasskeyOptions(
  rt: AuthRuntime,
  input: { challenge: unknown },
  context: RequestContext,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  settings(rt);
  const { challenge } = parseInput(challengeSchema, { challenge: input.challenge });
  const open = await openChallenge(rt, challenge, context.challengeBinding);
  const owner = open.record.userId;
  const user = owner === undefined ? undefined : await rt.storage.users.getById(owner);
  if (!user?.totp || !sameGeneration(tokenGeneration(open.record), user)) {
    throw new AuthError('TOKEN_INVALID');
  }
  if (!(await passkeyFactorAvailable(rt, user.id))) {
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'method', message: 'No passkey is registered for this account' }],
    });
  }
  return { options: await passkeyFactorOptions(rt, user, challenge) };
}
