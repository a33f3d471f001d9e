import {
  createHash,
  sign as cryptoSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialDescriptorJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL, isoCBOR, isoUint8Array } from '@simplewebauthn/server/helpers';

/** The signing algorithms a {@link SoftwareAuthenticator} can create credentials with. */
export type SoftwareAuthenticatorAlgorithm = 'ES256' | 'EdDSA';

/** How a {@link softwareAuthenticator} behaves; every field but `origin` has a default. */
export interface SoftwareAuthenticatorOptions {
  /** Origin the simulated browser puts in clientDataJSON, e.g. `'http://localhost:3000'`. */
  origin: string;
  /** Key type for new credentials (default `'ES256'`). */
  algorithm?: SoftwareAuthenticatorAlgorithm;
  /** Whether it verifies the user (UV flag) by default (default `true`). */
  userVerification?: boolean;
  /** Sets the Backup Eligible (BE) flag, as a synced passkey does (default `false`). */
  backupEligible?: boolean;
  /**
   * Sets the Backed Up (BS) flag (default `false`). Setting it without `backupEligible` gives
   * flags the WebAuthn spec forbids, which relying parties refuse: useful to test that refusal.
   */
  backedUp?: boolean;
  /**
   * `'increment'` (default): the signature counter goes up by 1 on each assertion; `'zero'`: it
   * is always 0, as synced passkeys do.
   */
  counter?: 'increment' | 'zero';
}

/** A credential held by a {@link SoftwareAuthenticator} (its private key is not exposed). */
export interface StoredCredential {
  /** The credential ID, base64url. */
  id: string;
  /** The RP ID the credential is scoped to. */
  rpId: string;
  /** The user handle, base64url, as given in the registration options' `user.id`. */
  userHandle: string;
  /** The credential's key type. */
  algorithm: SoftwareAuthenticatorAlgorithm;
  /** The signature counter of the last assertion (0 after registration). */
  counter: number;
}

/** Changes {@link SoftwareAuthenticator.register} makes to what a real browser would send. */
export interface SoftwareRegistrationOverrides {
  /** Origin written into clientDataJSON instead of the authenticator's own. */
  origin?: string;
  /**
   * RP ID hashed into authenticatorData instead of the options' one. The credential is still
   * stored under the options' RP ID (as a tampered response would be).
   */
  rpId?: string;
  /** Whether the UV flag is set for this ceremony. */
  userVerified?: boolean;
  /** Challenge written into clientDataJSON instead of the options' one. */
  challenge?: string;
  /** Key type for this credential, if the options allow it. */
  algorithm?: SoftwareAuthenticatorAlgorithm;
  /** clientDataJSON `type` instead of `'webauthn.create'`. */
  type?: string;
}

/** Changes {@link SoftwareAuthenticator.authenticate} makes to what a real browser would send. */
export interface SoftwareAuthenticationOverrides {
  /** Origin written into clientDataJSON instead of the authenticator's own. */
  origin?: string;
  /**
   * RP ID hashed into authenticatorData instead of the options' one. Credentials are still
   * looked up under the options' RP ID (as a tampered response would be).
   */
  rpId?: string;
  /** Whether the UV flag is set for this ceremony. */
  userVerified?: boolean;
  /** Challenge written into clientDataJSON instead of the options' one. */
  challenge?: string;
  /**
   * The credential to use (base64url ID). It must be held for the RP ID and, when the options
   * list `allowCredentials`, be one of them.
   */
  credentialId?: string;
  /**
   * Signature counter to sign instead of the next one; it also becomes the credential's stored
   * counter.
   */
  counter?: number;
  /** clientDataJSON `type` instead of `'webauthn.get'`. */
  type?: string;
}

/**
 * A software passkey authenticator together with the browser half of WebAuthn: it answers
 * `navigator.credentials.create()` / `.get()` options with the JSON a browser would post, signed
 * with real keys, so server-side WebAuthn flows can be tested end to end.
 */
export interface SoftwareAuthenticator {
  /** Every credential it holds (a snapshot; mutate through {@link setCounter}). */
  readonly credentials: readonly StoredCredential[];
  /**
   * `navigator.credentials.create()`: a new credential and its `RegistrationResponseJSON`
   * (`none` attestation) for these options.
   *
   * The RP ID is `options.rp.id`, or the hostname of the origin. The key type is the preferred
   * algorithm (`overrides.algorithm`, else the authenticator's) when `options.pubKeyCredParams`
   * lists it, else the first of ES256 (-7) or EdDSA (-8) listed there.
   *
   * @throws {DOMException} named `InvalidStateError` when it holds one of
   * `options.excludeCredentials` for the RP ID, and `NotSupportedError` when
   * `pubKeyCredParams` lists neither ES256 nor EdDSA.
   */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides?: SoftwareRegistrationOverrides,
  ): Promise<RegistrationResponseJSON>;
  /**
   * `navigator.credentials.get()`: an `AuthenticationResponseJSON` for these options.
   *
   * The RP ID is `options.rpId`, or the hostname of the origin. With `allowCredentials` it uses
   * the first of them it holds for the RP ID; without (a discoverable credential), the most
   * recently registered credential for the RP ID, or `overrides.credentialId`. `userHandle` is
   * always included (every credential is resident).
   *
   * @throws {DOMException} named `NotAllowedError` when it holds no suitable credential.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides?: SoftwareAuthenticationOverrides,
  ): Promise<AuthenticationResponseJSON>;
  /**
   * Sets a credential's stored signature counter, e.g. to simulate a cloned key going backwards.
   *
   * @throws {Error} when it holds no credential with that ID.
   * @throws {RangeError} when the counter is not an integer from 0 to 2^32 - 1.
   */
  setCounter(credentialId: string, counter: number): void;
  /**
   * A copy holding the same credentials and key material (a cloned authenticator), with its own
   * counters and its own future registrations.
   */
  clone(): SoftwareAuthenticator;
}

interface Credential extends StoredCredential {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const COSE_ALG: Record<SoftwareAuthenticatorAlgorithm, number> = { ES256: -7, EdDSA: -8 };

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const MAX_COUNTER = 0xffff_ffff;

/** Bytes backed by a plain ArrayBuffer, as `@simplewebauthn/server`'s helpers take. */
type Bytes = Uint8Array<ArrayBuffer>;

/**
 * A software WebAuthn authenticator (and browser) for tests: registers passkeys and signs
 * assertions with real ES256 (P-256) or Ed25519 keys, in the exact formats relying parties such
 * as `@simplewebauthn/server` verify.
 *
 * @throws {TypeError} when `options.origin` is not a URL.
 *
 * @example
 * ```ts
 * const authenticator = softwareAuthenticator({ origin: 'http://localhost:3000' });
 * const options = await generateRegistrationOptions({ rpID: 'localhost', rpName: 'App', userName: 'ada' });
 * const registration = await authenticator.register(options);
 * // ... verifyRegistrationResponse({ response: registration, ... }), then:
 * const assertion = await authenticator.authenticate(await generateAuthenticationOptions({ rpID: 'localhost' }));
 * ```
 */
export function softwareAuthenticator(
  options: SoftwareAuthenticatorOptions,
): SoftwareAuthenticator {
  const origin = options.origin;
  const defaultRpId = new URL(origin).hostname;
  return createAuthenticator(
    {
      origin,
      defaultRpId,
      algorithm: options.algorithm ?? 'ES256',
      userVerification: options.userVerification ?? true,
      backupEligible: options.backupEligible ?? false,
      backedUp: options.backedUp ?? false,
      counter: options.counter ?? 'increment',
    },
    [],
  );
}

interface Settings {
  origin: string;
  defaultRpId: string;
  algorithm: SoftwareAuthenticatorAlgorithm;
  userVerification: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  counter: 'increment' | 'zero';
}

function createAuthenticator(settings: Settings, store: Credential[]): SoftwareAuthenticator {
  const find = (id: string): Credential => {
    const credential = store.find((c) => c.id === id);
    if (!credential) throw new Error(`softwareAuthenticator: no credential ${id}`);
    return credential;
  };

  const flags = (userVerified: boolean): number =>
    FLAG_UP |
    (userVerified ? FLAG_UV : 0) |
    (settings.backupEligible ? FLAG_BE : 0) |
    (settings.backedUp ? FLAG_BS : 0);

  return {
    get credentials() {
      return store.map(({ id, rpId, userHandle, algorithm, counter }) => ({
        id,
        rpId,
        userHandle,
        algorithm,
        counter,
      }));
    },

    async register(creation, overrides = {}) {
      const rpId = creation.rp.id ?? settings.defaultRpId;
      for (const excluded of creation.excludeCredentials ?? []) {
        if (store.some((c) => c.rpId === rpId && c.id === excluded.id)) {
          throw new DOMException(
            'The authenticator already holds one of the excluded credentials',
            'InvalidStateError',
          );
        }
      }
      const algorithm = pickAlgorithm(
        creation.pubKeyCredParams,
        overrides.algorithm ?? settings.algorithm,
      );
      const { privateKey, publicKey } =
        algorithm === 'ES256'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519');
      const idBytes = new Uint8Array(randomBytes(32));
      const id = isoBase64URL.fromBuffer(idBytes);
      store.push({
        id,
        rpId,
        userHandle: creation.user.id,
        algorithm,
        counter: 0,
        privateKey,
        publicKey,
      });

      const credentialIdLength = new Uint8Array(2);
      new DataView(credentialIdLength.buffer).setUint16(0, idBytes.byteLength, false);
      const authData = isoUint8Array.concat([
        sha256(isoUint8Array.fromUTF8String(overrides.rpId ?? rpId)),
        Uint8Array.of(flags(overrides.userVerified ?? settings.userVerification) | FLAG_AT),
        uint32(0),
        new Uint8Array(16), // AAGUID: all zeros, as for `none` attestation
        credentialIdLength,
        idBytes,
        cosePublicKey(algorithm, publicKey),
      ]);
      const attStmt = new Map<string, never>(); // `none` attestation: an empty map
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Map<string, never> | Uint8Array>([
          ['fmt', 'none'],
          ['attStmt', attStmt],
          ['authData', authData],
        ]),
      );
      const clientDataJSON = clientData(
        overrides.type ?? 'webauthn.create',
        overrides.challenge ?? creation.challenge,
        overrides.origin ?? settings.origin,
      );
      const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));

      return {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON),
          attestationObject: isoBase64URL.fromBuffer(attestationObject),
          transports: ['internal'],
          publicKeyAlgorithm: COSE_ALG[algorithm],
          authenticatorData: isoBase64URL.fromBuffer(authData),
          publicKey: isoBase64URL.fromBuffer(spki),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    async authenticate(request, overrides = {}) {
      const rpId = request.rpId ?? settings.defaultRpId;
      const credential = pickCredential(
        store,
        rpId,
        request.allowCredentials,
        overrides.credentialId,
      );
      let signCount: number;
      if (overrides.counter !== undefined) {
        signCount = checkCounter(overrides.counter);
      } else if (settings.counter === 'zero') {
        signCount = 0;
      } else {
        signCount = checkCounter(credential.counter + 1);
      }
      credential.counter = signCount;

      const authData = isoUint8Array.concat([
        sha256(isoUint8Array.fromUTF8String(overrides.rpId ?? rpId)),
        Uint8Array.of(flags(overrides.userVerified ?? settings.userVerification)),
        uint32(signCount),
      ]);
      const clientDataJSON = clientData(
        overrides.type ?? 'webauthn.get',
        overrides.challenge ?? request.challenge,
        overrides.origin ?? settings.origin,
      );
      const signed = isoUint8Array.concat([authData, sha256(clientDataJSON)]);
      // ES256: an ASN.1 DER ECDSA signature, as WebAuthn specifies; Ed25519: the raw 64 bytes.
      const signature = new Uint8Array(
        cryptoSign(
          credential.algorithm === 'ES256' ? 'sha256' : null,
          signed,
          credential.privateKey,
        ),
      );

      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON),
          authenticatorData: isoBase64URL.fromBuffer(authData),
          signature: isoBase64URL.fromBuffer(signature),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    setCounter(credentialId, counter) {
      find(credentialId).counter = checkCounter(counter);
    },

    clone() {
      return createAuthenticator(
        settings,
        store.map((c) => ({ ...c })),
      );
    },
  };
}

function pickAlgorithm(
  params: PublicKeyCredentialCreationOptionsJSON['pubKeyCredParams'],
  preferred: SoftwareAuthenticatorAlgorithm,
): SoftwareAuthenticatorAlgorithm {
  // An empty list means the client's defaults (ES256 and RS256, per the spec): take the preferred.
  if (params.length === 0) return preferred;
  const offered = params.filter((p) => p.type === 'public-key').map((p) => p.alg);
  if (offered.includes(COSE_ALG[preferred])) return preferred;
  for (const alg of offered) {
    if (alg === COSE_ALG.ES256) return 'ES256';
    if (alg === COSE_ALG.EdDSA) return 'EdDSA';
  }
  throw new DOMException(
    'None of pubKeyCredParams is supported (ES256 -7, EdDSA -8)',
    'NotSupportedError',
  );
}

function pickCredential(
  store: readonly Credential[],
  rpId: string,
  allow: readonly PublicKeyCredentialDescriptorJSON[] | undefined,
  wanted: string | undefined,
): Credential {
  const held = store.filter((c) => c.rpId === rpId);
  let candidates = held;
  if (allow && allow.length > 0) {
    candidates = [];
    for (const descriptor of allow) {
      const match = held.find((c) => c.id === descriptor.id);
      if (match && !candidates.includes(match)) candidates.push(match);
    }
  } else {
    candidates = [...held].reverse(); // most recently registered first
  }
  const credential = wanted === undefined ? candidates[0] : candidates.find((c) => c.id === wanted);
  if (!credential) {
    throw new DOMException(
      `The authenticator holds no suitable credential for RP ID "${rpId}"`,
      'NotAllowedError',
    );
  }
  return credential;
}

/** The COSE_Key of the credential public key, CBOR-encoded with integer labels. */
function cosePublicKey(algorithm: SoftwareAuthenticatorAlgorithm, publicKey: KeyObject): Bytes {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = isoBase64URL.toBuffer(jwk.x ?? '');
  if (algorithm === 'ES256') {
    const y = isoBase64URL.toBuffer(jwk.y ?? '');
    // kty: EC2, alg: ES256, crv: P-256, x, y
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, COSE_ALG.ES256],
        [-1, 1],
        [-2, x],
        [-3, y],
      ]),
    );
  }
  // kty: OKP, alg: EdDSA, crv: Ed25519, x
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 1],
      [3, COSE_ALG.EdDSA],
      [-1, 6],
      [-2, x],
    ]),
  );
}

function clientData(type: string, challenge: string, origin: string): Bytes {
  return isoUint8Array.fromUTF8String(
    JSON.stringify({ type, challenge, origin, crossOrigin: false }),
  );
}

function sha256(data: Uint8Array): Bytes {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function uint32(value: number): Bytes {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, false);
  return bytes;
}

function checkCounter(counter: number): number {
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw new RangeError('softwareAuthenticator: a counter is an integer from 0 to 2^32 - 1');
  }
  return counter;
}
