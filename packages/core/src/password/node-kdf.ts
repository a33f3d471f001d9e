import type { KdfPrimitives } from './kdf.js';

type NativeKdf = Pick<KdfPrimitives, 'pbkdf2' | 'scrypt'>;

/**
 * PBKDF2 and scrypt from `node:crypto`, or `undefined` where it does not exist. They run
 * natively on libuv's thread pool, off the event loop and about 10× faster than hash-wasm
 * (PBKDF2-SHA256 at 1,000,000 iterations: about 0.3 s here against 3.8 s), so an imported
 * Django hash costs a sign-in far less time and no worker (issue 15).
 */
export async function loadNodeCryptoKdf(): Promise<NativeKdf | undefined> {
  let crypto: typeof import('node:crypto');
  try {
    crypto = await import('node:crypto');
    if (typeof crypto.pbkdf2 !== 'function' || typeof crypto.scrypt !== 'function') {
      return undefined;
    }
  } catch {
    return undefined;
  }
  return {
    pbkdf2: (o) =>
      new Promise((resolve, reject) =>
        crypto.pbkdf2(o.password, o.salt, o.iterations, o.keyLength, o.digest, (error, key) =>
          error ? reject(error) : resolve(new Uint8Array(key)),
        ),
      ),
    scrypt: (o) =>
      new Promise((resolve, reject) =>
        crypto.scrypt(
          o.password,
          o.salt,
          o.keyLength,
          {
            N: o.costFactor,
            r: o.blockSize,
            p: o.parallelism,
            maxmem: scryptMaxMemory(o.costFactor, o.blockSize, o.parallelism),
          },
          (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))),
        ),
      ),
  };
}

/**
 * Bytes scrypt needs, as OpenSSL counts them (`EVP_PBE_scrypt`: 128·r·(N + 2) for V plus
 * 128·r·p for B), with 1 MiB to spare. Node's default `maxmem` is 32 MiB, below what the
 * stored parameters may ask for (128·N·r up to 256 MiB, `SCRYPT_LIMITS`); the bounds are
 * enforced when the hash is parsed, not here.
 */
export function scryptMaxMemory(cost: number, blockSize: number, parallelism: number): number {
  return 128 * blockSize * (cost + 2 + parallelism) + 1024 * 1024;
}

/** `kdf` with PBKDF2 and scrypt replaced by `native` when there is one. */
export function withNativeKdf(kdf: KdfPrimitives, native: NativeKdf | undefined): KdfPrimitives {
  if (native === undefined) return kdf;
  return {
    argon2Verify: (p, h) => kdf.argon2Verify(p, h),
    bcryptVerify: (p, h) => kdf.bcryptVerify(p, h),
    pbkdf2: native.pbkdf2,
    scrypt: native.scrypt,
  };
}
