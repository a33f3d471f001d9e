import { AuthError } from '../errors/auth-error.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from './encoding.js';
import { hkdfSha256, hmacSha256 } from './hash.js';
import { type RandomSource, webCryptoRandom } from './random.js';

/** Purposes that get their own derived key. A key serves one purpose only. */
export type KeyPurpose =
  | 'jwt-hs256'
  | 'totp-secret'
  | 'otp-hmac'
  | 'csrf'
  | 'cookie'
  | 'recovery-code'
  | (string & {});

interface SecretEntry {
  readonly keyId: string;
  readonly material: Uint8Array;
}

const FORMAT = 'pc1';

/**
 * Keys derived from the configured secret: HKDF-SHA256 per purpose, and AES-256-GCM
 * encryption whose ciphertexts name the secret they were made with, so data encrypted under
 * a previous secret still decrypts after rotation (`secret: [current, ...previous]`).
 */
export class Keyring {
  readonly #entries: readonly SecretEntry[];
  readonly #derived = new Map<string, Uint8Array>();
  readonly #random: RandomSource;
  readonly #aesKeys = new Map<string, Promise<CryptoKey>>();

  /**
   * Builds the keyring from the configured secrets.
   * @param secrets The current secret first, then previous ones still accepted.
   */
  constructor(secrets: readonly string[], options: { random?: RandomSource } = {}) {
    if (secrets.length === 0) throw new AuthError('CONFIG_INVALID', { message: 'No secret.' });
    this.#entries = secrets.map((secret) => {
      const material = utf8(secret);
      // A short public fingerprint of the secret; never reveals it (HMAC, 48 bits).
      const keyId = toBase64Url(hmacSha256(material, 'portcullis/key-id').subarray(0, 6));
      return { keyId, material };
    });
    this.#random = options.random ?? webCryptoRandom;
  }

  /** Id of the current secret (used as `kid` and in ciphertexts). */
  get currentKeyId(): string {
    return (this.#entries[0] as SecretEntry).keyId;
  }

  /** Ids of every accepted secret, current first. */
  get keyIds(): readonly string[] {
    return this.#entries.map((e) => e.keyId);
  }

  /** 32 bytes derived for `purpose` from the current secret, or from the secret `keyId`. */
  deriveKey(purpose: KeyPurpose, keyId: string = this.currentKeyId): Uint8Array {
    // Derived once per secret and purpose: request paths (the CSRF check of every
    // cookie-authenticated write) must not pay an HKDF each time. A copy goes out, so no
    // caller can change the cached key.
    const cacheKey = `${keyId}\u0000${purpose}`;
    let key = this.#derived.get(cacheKey);
    if (key === undefined) {
      const entry = this.#entries.find((e) => e.keyId === keyId);
      if (!entry) throw new AuthError('INTERNAL', { cause: new Error(`Unknown key id ${keyId}`) });
      key = hkdfSha256(entry.material, { info: `portcullis/${purpose}`, length: 32 });
      this.#derived.set(cacheKey, key);
    }
    return key.slice();
  }

  /** Keys for `purpose` from every accepted secret, current first (to verify old MACs). */
  deriveAllKeys(purpose: KeyPurpose): { keyId: string; key: Uint8Array }[] {
    return this.#entries.map((e) => ({ keyId: e.keyId, key: this.deriveKey(purpose, e.keyId) }));
  }

  /**
   * Encrypts `plaintext` with AES-256-GCM under the current secret's key for `purpose`.
   * The result is `pc1.{keyId}.{iv}.{ciphertext+tag}` (base64url parts); the purpose is bound
   * as additional data, so a ciphertext cannot be moved from one purpose to another.
   */
  async encrypt(purpose: KeyPurpose, plaintext: string): Promise<string> {
    const keyId = this.currentKeyId;
    const iv = this.#random.bytes(12);
    const sealed = await globalThis.crypto.subtle.encrypt(
      {
        name: 'AES-GCM',
        iv: iv as Uint8Array<ArrayBuffer>,
        additionalData: utf8(purpose) as Uint8Array<ArrayBuffer>,
      },
      await this.#aesKey(purpose, keyId),
      utf8(plaintext) as Uint8Array<ArrayBuffer>,
    );
    return `${FORMAT}.${keyId}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
  }

  /**
   * Decrypts a value made by {@link encrypt} under any accepted secret.
   * @throws AuthError `INTERNAL` when the value is malformed, was made for another purpose or
   * under a secret no longer configured, or was tampered with.
   */
  async decrypt(purpose: KeyPurpose, ciphertext: string): Promise<string> {
    const [format, keyId, ivText, sealedText, extra] = ciphertext.split('.');
    const iv = ivText === undefined ? undefined : fromBase64Url(ivText);
    const sealed = sealedText === undefined ? undefined : fromBase64Url(sealedText);
    const entry = this.#entries.find((e) => e.keyId === keyId);
    if (format !== FORMAT || extra !== undefined || !entry || iv?.length !== 12 || !sealed) {
      throw new AuthError('INTERNAL', { cause: new Error('Undecryptable value') });
    }
    try {
      const plain = await globalThis.crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: iv as Uint8Array<ArrayBuffer>,
          additionalData: utf8(purpose) as Uint8Array<ArrayBuffer>,
        },
        await this.#aesKey(purpose, entry.keyId),
        sealed as Uint8Array<ArrayBuffer>,
      );
      return fromUtf8(new Uint8Array(plain));
    } catch (cause) {
      throw new AuthError('INTERNAL', { cause });
    }
  }

  /** True when `ciphertext` was made under a previous secret and should be re-encrypted. */
  needsReencrypt(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.currentKeyId;
  }

  #aesKey(purpose: KeyPurpose, keyId: string): Promise<CryptoKey> {
    const cacheKey = `${keyId}/${purpose}`;
    let key = this.#aesKeys.get(cacheKey);
    if (!key) {
      const raw = this.deriveKey(`aes-gcm/${purpose}`, keyId) as Uint8Array<ArrayBuffer>;
      key = globalThis.crypto.subtle.importKey('raw', raw, 'AES-GCM', false, [
        'encrypt',
        'decrypt',
      ]);
      this.#aesKeys.set(cacheKey, key);
    }
    return key;
  }
}
