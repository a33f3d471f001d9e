import { argon2Verify, bcryptVerify, createSHA1, createSHA256, pbkdf2, scrypt } from 'hash-wasm';

/**
 * The slow primitives behind password verification. Core runs them in a worker pool where
 * it can (see `workerPoolKdf`), so legacy hashes checked at sign-in do not stall the event
 * loop; `inlineKdf` runs them on the calling thread with hash-wasm.
 */
export interface KdfPrimitives {
  /** Verifies a PHC argon2 string (`$argon2id$`, `$argon2i$`, `$argon2d$`). */
  argon2Verify(password: string, phc: string): Promise<boolean>;
  /** Verifies a bcrypt hash (`$2a$`, `$2b$`, `$2y$`). `password` may be bytes. */
  bcryptVerify(password: string | Uint8Array, hash: string): Promise<boolean>;
  /** PBKDF2-HMAC with SHA-256 or SHA-1; resolves to `keyLength` bytes. */
  pbkdf2(options: {
    password: string;
    salt: string | Uint8Array;
    iterations: number;
    keyLength: number;
    digest: 'sha256' | 'sha1';
  }): Promise<Uint8Array>;
  /** scrypt; `costFactor` is N (a power of two). Resolves to `keyLength` bytes. */
  scrypt(options: {
    password: string;
    salt: string | Uint8Array;
    costFactor: number;
    blockSize: number;
    parallelism: number;
    keyLength: number;
  }): Promise<Uint8Array>;
}

/** {@link KdfPrimitives} computed on the calling thread with hash-wasm (blocks while it runs). */
export const inlineKdf: KdfPrimitives = Object.freeze({
  argon2Verify: (password: string, phc: string) => argon2Verify({ password, hash: phc }),
  bcryptVerify: (password: string | Uint8Array, hash: string) => bcryptVerify({ password, hash }),
  pbkdf2: (o: Parameters<KdfPrimitives['pbkdf2']>[0]) =>
    pbkdf2({
      password: o.password,
      salt: o.salt,
      iterations: o.iterations,
      hashLength: o.keyLength,
      hashFunction: o.digest === 'sha256' ? createSHA256() : createSHA1(),
      outputType: 'binary',
    }),
  scrypt: (o: Parameters<KdfPrimitives['scrypt']>[0]) =>
    scrypt({
      password: o.password,
      salt: o.salt,
      costFactor: o.costFactor,
      blockSize: o.blockSize,
      parallelism: o.parallelism,
      hashLength: o.keyLength,
      outputType: 'binary',
    }),
});
