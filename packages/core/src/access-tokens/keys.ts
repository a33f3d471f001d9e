import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  CompactSign,
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { toBase64Url, utf8 } from '../crypto/encoding.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import { ACCESS_TOKEN_TYPE } from './claims.js';

/** Algorithms an access token may be signed with. Exactly one is configured per instance. */
export type AccessTokenAlgorithm = 'HS256' | 'EdDSA' | 'ES256';

/** Computes the base64url HMAC-SHA256 of a JWS signing input, synchronously. */
export type Hs256Mac = (signingInput: string) => string;

/** HS256 keys: one per configured secret, so tokens signed before a rotation still verify. */
export interface Hs256Keys {
  /** `kid` of the current secret (the keyring's key id), used to sign. */
  readonly currentKid: string;
  /** The MAC of every accepted secret by `kid`. */
  readonly macs: ReadonlyMap<string, Hs256Mac>;
  /**
   * The MAC of every accepted secret by the exact header segment this library writes for it
   * (`{"alg":"HS256","typ":"at+jwt","kid":…}`), so the hot path recognises its own headers
   * without decoding them.
   */
  readonly byHeader: ReadonlyMap<string, Hs256Mac>;
}

/** The header segment (base64url JSON) of an access token signed with `kid`. */
export function headerSegment(alg: AccessTokenAlgorithm, kid: string): string {
  return toBase64Url(utf8(JSON.stringify({ alg, typ: ACCESS_TOKEN_TYPE, kid })));
}

/** EdDSA or ES256 keys: the current private key and every configured public key. */
export interface AsymmetricKeys {
  readonly algorithm: 'EdDSA' | 'ES256';
  /** `kid` of `privateKeys[0]` (or of the ephemeral development key). */
  readonly currentKid: string;
  readonly privateKey: CryptoKey;
  /** Verification keys by `kid`, current first. */
  readonly publicKeys: ReadonlyMap<string, CryptoKey>;
  /** The public JWKs (`kid`, `alg`, `use: 'sig'`), for `GET /jwks.json`. */
  readonly jwks: readonly JsonWebKey[];
}

// Key material is derived once per Auth instance; its configuration never changes.
const hs256Cache = new WeakMap<AuthRuntime, Hs256Keys>();
const asymmetricCache = new WeakMap<AuthRuntime, Promise<AsymmetricKeys>>();

/** Keys from the secret: HKDF-SHA256 per purpose, so the JWT key signs nothing else. */
export function hs256Keys(rt: AuthRuntime): Hs256Keys {
  let keys = hs256Cache.get(rt);
  if (!keys) {
    const macs = new Map<string, Hs256Mac>();
    const byHeader = new Map<string, Hs256Mac>();
    for (const { keyId, key } of rt.keyring.deriveAllKeys('jwt-hs256')) {
      // The keyed inner/outer states are computed once; each MAC clones them.
      const keyed = hmac.create(sha256, key);
      const mac: Hs256Mac = (input) => toBase64Url(keyed.clone().update(utf8(input)).digest());
      macs.set(keyId, mac);
      byHeader.set(headerSegment('HS256', keyId), mac);
    }
    keys = { currentKid: rt.keyring.currentKeyId, macs, byHeader };
    hs256Cache.set(rt, keys);
  }
  return keys;
}

// The members a public key of each algorithm consists of. The public JWK is built from this
// allowlist, so no private member (d, p, q, dp, dq, qi, k, oth) can ever be published.
const SHAPES = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519', members: ['kty', 'crv', 'x'] },
  ES256: { kty: 'EC', crv: 'P-256', members: ['kty', 'crv', 'x', 'y'] },
} as const;

function configError(path: string, message: string, cause?: unknown): AuthError {
  return new AuthError('CONFIG_INVALID', {
    message: `Invalid Portcullis configuration: ${path}: ${message}`,
    details: [{ path, message }],
    cause,
  });
}

function publicMembers(jwk: JsonWebKey, algorithm: 'EdDSA' | 'ES256'): JWK {
  const out: Record<string, string> = {};
  for (const name of SHAPES[algorithm].members) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out as JWK;
}

/** Imports the configured keys, or makes a development key pair once per instance. */
export function asymmetricKeys(rt: AuthRuntime): Promise<AsymmetricKeys> {
  let keys = asymmetricCache.get(rt);
  if (!keys) {
    keys = loadAsymmetricKeys(rt);
    asymmetricCache.set(rt, keys);
  }
  return keys;
}

async function loadAsymmetricKeys(rt: AuthRuntime): Promise<AsymmetricKeys> {
  const { algorithm, privateKeys } = rt.config.session.accessToken;
  if (algorithm === 'HS256') throw new AuthError('INTERNAL');
  const shape = SHAPES[algorithm];
  const publicKeys = new Map<string, CryptoKey>();
  const jwks: JsonWebKey[] = [];
  let privateKey: CryptoKey | undefined;
  const add = async (pub: JWK, kid: string) => {
    publicKeys.set(kid, (await importJWK(pub, algorithm)) as CryptoKey);
    jwks.push({ ...pub, kid, alg: algorithm, use: 'sig' } as JsonWebKey);
  };

  if (privateKeys.length === 0) {
    // Production refuses this at config time; elsewhere tokens die with the process.
    rt.config.logger.warn(
      `No session.accessToken.privateKeys: using an ephemeral ${algorithm} key for this process. Access tokens will not verify after a restart or on other instances.`,
    );
    const pair = await generateKeyPair(algorithm, { extractable: true });
    const pub = publicMembers((await exportJWK(pair.publicKey)) as JsonWebKey, algorithm);
    const kid = await calculateJwkThumbprint(pub);
    await add(pub, kid);
    return { algorithm, currentKid: kid, privateKey: pair.privateKey, publicKeys, jwks };
  }

  for (const [index, jwk] of privateKeys.entries()) {
    const path = `session.accessToken.privateKeys.${index}`;
    const kid = (jwk as { kid?: unknown }).kid;
    // A key of another type cannot make or check this algorithm's signatures: say which key.
    if (jwk.kty !== shape.kty || jwk.crv !== shape.crv) {
      throw configError(path, `must be a ${shape.kty} ${shape.crv} key for ${algorithm}`);
    }
    // `kid` selects the verification key: two keys with one kid would make that ambiguous.
    if (typeof kid !== 'string' || kid === '' || publicKeys.has(kid)) {
      throw configError(path, 'needs a kid of its own');
    }
    const pub = publicMembers(jwk, algorithm);
    try {
      if (index === 0) {
        const priv = { ...pub, d: jwk.d } as JWK;
        privateKey = (await importJWK(priv, algorithm)) as CryptoKey;
      }
      await add(pub, kid);
    } catch (cause) {
      throw configError(path, `is not a valid ${algorithm} key`, cause);
    }
  }
  const currentKid = (privateKeys[0] as { kid: string }).kid;
  const signer = privateKey as CryptoKey;
  // A `d` that does not belong to its `x`/`y` would sign tokens that nobody can verify: fail
  // at the first use, loudly, rather than on every request.
  try {
    const probe = new CompactSign(utf8('portcullis')).setProtectedHeader({ alg: algorithm });
    await compactVerify(await probe.sign(signer), publicKeys.get(currentKid) as CryptoKey);
  } catch (cause) {
    throw configError(
      'session.accessToken.privateKeys.0',
      'private and public parts differ',
      cause,
    );
  }
  return { algorithm, currentKid, privateKey: signer, publicKeys, jwks };
}
