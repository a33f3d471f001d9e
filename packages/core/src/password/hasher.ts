import { type RandomSource, webCryptoRandom } from '../crypto/random.js';
import { AuthError } from '../errors/auth-error.js';
import { type Argon2Params, argon2NeedsRehash, DEFAULT_ARGON2_PARAMS } from './argon2-params.js';
import { inlineKdf, type KdfPrimitives } from './kdf.js';
import { defaultLegacyConcurrency } from './legacy-queue.js';
import { loadNativeArgon2 } from './native.js';
import { loadNodeCryptoKdf, withNativeKdf } from './node-kdf.js';
import { KdfWorkerPool } from './worker-pool.js';

/** Where argon2id runs. */
export type PasswordHasherBackend = 'native' | 'pool' | 'inline';

/**
 * Hashes and verifies passwords as argon2id PHC strings. Implement it to bring another
 * hasher; every implementation must read and write the same PHC format.
 */
export interface PasswordHasher {
  /** Which backend runs the work (reported at startup). */
  readonly backend: PasswordHasherBackend | (string & {});
  /** Hashes a (normalized) password; resolves to a PHC string. */
  hash(password: string): Promise<string>;
  /**
   * Verifies a password against a PHC argon2 string (`$argon2id$`, `$argon2i$`). May reject
   * for a malformed hash (callers treat that as a mismatch).
   */
  verify(password: string, phc: string): Promise<boolean>;
  /** True when `phc` was not made with this hasher's current parameters. */
  needsRehash(phc: string): boolean;
  /** The slow primitives used to verify legacy formats (bcrypt, PBKDF2, scrypt). */
  readonly kdf: KdfPrimitives;
  /** Releases worker threads, if any. */
  close(): Promise<void>;
}

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions {
  /**
   * `'auto'` (default): `@node-rs/argon2` when the application has it installed (about 6×
   * faster here, off the event loop), else hash-wasm in a worker pool, else hash-wasm inline
   * where worker threads do not exist. Naming a backend forces it (`'native'` fails when the
   * package is missing).
   */
  backend?: 'auto' | PasswordHasherBackend;
  /** argon2id cost. Default {@link DEFAULT_ARGON2_PARAMS} (m = 19456 KiB, t = 2, p = 1). */
  params?: Partial<Argon2Params>;
  /** Worker threads of the pool backend. Default: available parallelism minus one, at least 1. */
  poolSize?: number;
  /**
   * Scheduling priority of the hashing workers (a `nice` value, 0 to 19; Linux): argon2id is
   * slow on purpose, and a sign-in flood must not starve the event loop. Default 10: under full
   * load, each worker gets about a tenth of the share of a busy thread of normal priority; with
   * idle CPU, hashing runs at full speed. 0 runs them as the rest of the process.
   */
  nice?: number;
  /**
   * Worker threads that verify legacy bcrypt hashes (and argon2 hashes of other systems), apart
   * from the argon2id workers so that legacy work never holds them (issue 15). Default: half
   * the available parallelism, at least 1, the default `password.legacyQueue.concurrency`.
   * PBKDF2 and scrypt run in `node:crypto` where it exists, on no worker.
   */
  legacyPoolSize?: number;
  /** Random source for salts. Default Web Crypto. */
  random?: RandomSource;
}

/**
 * Creates the argon2id hasher, choosing its backend as `options.backend` says.
 * @throws AuthError `CONFIG_INVALID` when `backend: 'native'` is asked for and `@node-rs/argon2` is not installed.
 */
export async function createPasswordHasher(
  options: PasswordHasherOptions = {},
): Promise<PasswordHasher> {
  const params: Argon2Params = { ...DEFAULT_ARGON2_PARAMS, ...options.params };
  const random = options.random ?? webCryptoRandom;
  const wanted = options.backend ?? 'auto';
  const needsRehash = (phc: string) => argon2NeedsRehash(phc, params);
  const salt = () => random.bytes(params.saltLength);
  // PBKDF2 and scrypt natively where node:crypto exists (issue 15: a 1,000,000-iteration
  // Django hash took 3.8 s in hash-wasm); hash-wasm stays the fallback.
  const nodeKdf = await loadNodeCryptoKdf();

  if (wanted === 'native' || wanted === 'auto') {
    const native = await loadNativeArgon2();
    if (native) {
      const workers = await KdfWorkerPool.available();
      // Legacy formats still need bcrypt/PBKDF2/scrypt: those go to a lazily started pool.
      const pool = workers ? new KdfWorkerPool(poolSize(options)) : undefined;
      const kdf = withNativeKdf(pool ?? inlineKdf, nodeKdf);
      // argon2id itself on workers of its own, at a lower scheduling priority, where worker
      // threads exist: a flood of sign-ins then takes the CPU that requests leave, instead of
      // libuv's four threads crowding out the event loop (issue 20: session checks kept 4 % of
      // their rate under 20 sign-ins in flight, the event loop's p99 delay was 47 ms).
      const argon2Pool = workers
        ? new KdfWorkerPool({
            native: true,
            nice: options.nice ?? DEFAULT_NICE,
            size: options.poolSize ?? (await availableCores()),
          })
        : undefined;
      return {
        backend: 'native',
        hash: (password) =>
          argon2Pool
            ? argon2Pool.argon2idHash(password, salt(), params)
            : native.hash(password, salt(), params),
        verify: (password, phc) =>
          argon2Pool ? argon2Pool.argon2Verify(password, phc) : native.verify(password, phc),
        needsRehash,
        kdf: { ...bindKdf(kdf), argon2Verify: (password, phc) => native.verify(password, phc) },
        close: async () => {
          await Promise.all([pool?.close(), argon2Pool?.close()]);
        },
      };
    }
    if (wanted === 'native') {
      throw new AuthError('CONFIG_INVALID', {
        message: 'Password hasher backend "native" needs @node-rs/argon2 installed',
      });
    }
  }
  if ((wanted === 'pool' || wanted === 'auto') && (await KdfWorkerPool.available())) {
    const pool = new KdfWorkerPool({ ...poolSize(options), nice: options.nice ?? DEFAULT_NICE });
    // Legacy bcrypt (and foreign argon2) gets workers of its own: in the shared pool a few
    // bcrypt checks would hold every argon2id worker and each sign-in would wait (issue 15).
    const legacyPool = new KdfWorkerPool({
      size: options.legacyPoolSize ?? (await defaultLegacyConcurrency()),
    });
    return {
      backend: 'pool',
      hash: (password) => pool.argon2idHash(password, salt(), params),
      verify: (password, phc) => pool.argon2Verify(password, phc),
      needsRehash,
      kdf: bindKdf(withNativeKdf(legacyPool, nodeKdf)),
      close: async () => {
        await Promise.all([pool.close(), legacyPool.close()]);
      },
    };
  }
  const { argon2id } = await import('hash-wasm');
  return {
    backend: 'inline',
    hash: (password) =>
      argon2id({
        password,
        salt: salt(),
        iterations: params.iterations,
        parallelism: params.parallelism,
        memorySize: params.memoryKiB,
        hashLength: params.hashLength,
        outputType: 'encoded',
      }),
    verify: (password, phc) => inlineKdf.argon2Verify(password, phc),
    needsRehash,
    kdf: withNativeKdf(inlineKdf, nodeKdf),
    close: async () => {},
  };
}

/** The workers' default `nice`: under load they get about a tenth of a busy core's share. */
const DEFAULT_NICE = 10;

/** How many cores this process may use (1 where that cannot be known). */
async function availableCores(): Promise<number> {
  try {
    const os = await import('node:os');
    return Math.max(1, os.availableParallelism());
  } catch {
    return 1;
  }
}

function poolSize(options: PasswordHasherOptions) {
  return options.poolSize === undefined ? {} : { size: options.poolSize };
}

function bindKdf(kdf: KdfPrimitives): KdfPrimitives {
  return {
    argon2Verify: (p, h) => kdf.argon2Verify(p, h),
    bcryptVerify: (p, h) => kdf.bcryptVerify(p, h),
    pbkdf2: (o) => kdf.pbkdf2(o),
    scrypt: (o) => kdf.scrypt(o),
  };
}
