import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { fromBase64Url, toBase64Url } from '../crypto/encoding.js';
import { hmacSha256 } from '../crypto/hash.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { PasskeyRecord } from '../storage/types/passkeys.js';
import type { UserRecord } from '../storage/types/users.js';
import type { CodeCheck } from './check-code.js';

type WebAuthnLibrary = typeof import('@simplewebauthn/server');
let library: Promise<WebAuthnLibrary> | undefined;
/** `@simplewebauthn/server`, loaded on the first passkey ceremony (apps without one never load it). */
export function webauthn(): Promise<WebAuthnLibrary> {
  library ??= import('@simplewebauthn/server');
  return library;
}

/** Keyring purpose of the key that derives a sign-in challenge's WebAuthn challenge. */
const SECOND_FACTOR_KEY = 'passkey-second-factor';

/**
 * The WebAuthn challenge of a second-factor challenge: HMAC of its token under a server key.
 * Nothing is stored: the sign-in challenge is single use, so its WebAuthn challenge is too.
 */
function webauthnChallenge(rt: AuthRuntime, challengeToken: string): Uint8Array {
  return hmacSha256(rt.keyring.deriveKey(SECOND_FACTOR_KEY), challengeToken);
}

/** Whether the user can answer a second-factor challenge with a passkey. */
export async function passkeyFactorAvailable(rt: AuthRuntime, userId: string): Promise<boolean> {
  if (rt.config.passkeys === false) return false;
  return (await rt.storage.passkeys.listByUser(userId)).length > 0;
}

/**
 * The `navigator.credentials.get()` options of a second-factor challenge answered with a
 * passkey: the user's passkeys, user verification preferred (not required: a passkey without
 * it is a second factor), the challenge derived from the sign-in challenge.
 */
export async function passkeyFactorOptions(
  rt: AuthRuntime,
  user: UserRecord,
  challengeToken: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const config = rt.config.passkeys;
  if (config === false) throw new Error('passkeys are off');
  const passkeys = await rt.storage.passkeys.listByUser(user.id);
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({
    rpID: config.rpId,
    challenge: webauthnChallenge(rt, challengeToken) as Uint8Array<ArrayBuffer>,
    timeout: config.challengeTtlSeconds * 1000,
    userVerification: 'preferred',
    allowCredentials: passkeys.map((p) => ({
      id: p.credentialId,
      transports: p.transports as 'internal'[],
    })),
  });
}

/** What verifying one passkey assertion found. */
export type AssertionCheck =
  | { readonly ok: false }
  | {
      readonly ok: true;
      readonly userVerified: boolean;
      readonly newCounter: number;
      readonly backedUp: boolean;
      /** The counter did not go up (a possible clone); see {@link counterRegressed}. */
      readonly regressed: boolean;
    };

/**
 * Verifies an assertion of `passkey` with `@simplewebauthn/server` (origin among
 * `passkeys.origins`, RP ID, user presence, signature, the expected challenge). The counter is
 * judged here, not by the library (which would refuse every regression, synced passkeys' too).
 */
export async function verifyAssertion(
  rt: AuthRuntime,
  passkey: PasskeyRecord,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
): Promise<AssertionCheck> {
  const config = rt.config.passkeys;
  if (config === false) return { ok: false };
  const { verifyAuthenticationResponse } = await webauthn();
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: [...config.origins],
      expectedRPID: config.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: (fromBase64Url(passkey.publicKey) ??
          new Uint8Array()) as Uint8Array<ArrayBuffer>,
        counter: 0,
        transports: passkey.transports as 'internal'[],
      },
      requireUserVerification: false,
    });
    if (!verified.verified) return { ok: false };
    const info = verified.authenticationInfo;
    return {
      ok: true,
      userVerified: info.userVerified,
      newCounter: info.newCounter,
      backedUp: info.credentialBackedUp,
      regressed: (info.newCounter > 0 || passkey.counter > 0) && info.newCounter <= passkey.counter,
    };
  } catch {
    // A response the library cannot parse, or whose checks fail.
    return { ok: false };
  }
}

/**
 * Reports a counter that did not go up (`passkey.counter_regressed`); resolves to whether the
 * passkey must be refused: a device-bound one (a clone is likely), not a synced one (which
 * counts per device, or not at all).
 */
export async function counterRegressed(
  rt: AuthRuntime,
  passkey: PasskeyRecord,
  presented: number,
  context: RequestContext,
): Promise<boolean> {
  await rt.emit(
    {
      type: 'passkey.counter_regressed',
      userId: passkey.userId,
      data: {
        passkeyId: passkey.id,
        stored: passkey.counter,
        presented,
        deviceType: passkey.deviceType,
      },
    },
    context,
  );
  return passkey.deviceType === 'singleDevice';
}

/**
 * Checks a passkey answering a second-factor challenge: one of the user's passkeys, signing
 * the challenge derived from `challengeToken`; user verification is not needed (the password,
 * or the first factor, was the other factor). A replay is stopped by the sign-in challenge,
 * which is single use (`verifySecondFactor` uses it up before `commit`). `commit` records the
 * use (counter, backed-up flag, last used); it is false only when the passkey is gone.
 */
export async function checkPasskeyFactor(
  rt: AuthRuntime,
  user: UserRecord,
  response: AuthenticationResponseJSON,
  challengeToken: string,
  context: RequestContext,
): Promise<CodeCheck> {
  const passkey = await rt.storage.passkeys.getByCredentialId(response.id);
  if (passkey === undefined || passkey.userId !== user.id) return { valid: false };
  const expected = toBase64Url(webauthnChallenge(rt, challengeToken));
  const check = await verifyAssertion(rt, passkey, response, expected);
  if (!check.ok) return { valid: false };
  if (check.regressed && (await counterRegressed(rt, passkey, check.newCounter, context))) {
    return { valid: false };
  }
  return {
    valid: true,
    use: `passkey:${passkey.id}:${check.newCounter}`,
    commit: async () =>
      (await rt.storage.passkeys.recordUse(passkey.id, {
        counter: check.newCounter,
        backedUp: check.backedUp,
        now: rt.now(),
      })) === 'updated',
  };
}
