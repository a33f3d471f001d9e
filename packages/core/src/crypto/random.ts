/**
 * A source of cryptographically secure random bytes. Everything random in Portcullis (ids,
 * tokens, salts, codes) comes from the one source in the configuration, so tests can make it
 * deterministic.
 */
export interface RandomSource {
  /** Fills and returns a new array of `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/** Web Crypto's `getRandomValues`, in chunks of at most 65,536 bytes as the API requires. */
export const webCryptoRandom: RandomSource = Object.freeze({
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 65_536) {
      globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65_536)));
    }
    return out;
  },
});
