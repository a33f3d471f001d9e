import type { Argon2Params } from './argon2-params.js';

/** The part of `@node-rs/argon2` that Portcullis uses. */
export interface NativeArgon2 {
  hash(password: string, salt: Uint8Array, params: Argon2Params): Promise<string>;
  verify(password: string, phc: string): Promise<boolean>;
}

interface NodeRsArgon2Module {
  hash(
    password: string,
    options: {
      algorithm: number;
      memoryCost: number;
      timeCost: number;
      parallelism: number;
      outputLen: number;
      salt: Uint8Array;
    },
  ): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

/** `Algorithm.Argon2id` of `@node-rs/argon2` (a const enum, so not importable at run time). */
const ARGON2ID = 2;

/**
 * Loads `@node-rs/argon2` when the application installed it (an optional peer dependency),
 * else resolves to `undefined`. It hashes on libuv's thread pool, off the event loop.
 */
export async function loadNativeArgon2(): Promise<NativeArgon2 | undefined> {
  let mod: NodeRsArgon2Module;
  try {
    // A variable specifier: bundlers of applications that do not install the optional peer
    // must not fail on it.
    const name = '@node-rs/argon2';
    const imported = (await import(/* @vite-ignore */ name)) as Partial<NodeRsArgon2Module> & {
      default?: NodeRsArgon2Module;
    };
    mod =
      typeof imported.hash === 'function'
        ? (imported as NodeRsArgon2Module)
        : (imported.default as NodeRsArgon2Module);
    if (typeof mod?.hash !== 'function') return undefined;
  } catch {
    return undefined;
  }
  return {
    hash: (password, salt, params) =>
      mod.hash(password, {
        algorithm: ARGON2ID,
        memoryCost: params.memoryKiB,
        timeCost: params.iterations,
        parallelism: params.parallelism,
        outputLen: params.hashLength,
        salt,
      }),
    // A malformed hash makes the native verify throw; for us it is simply not a match.
    verify: (password, phc) => mod.verify(phc, password).catch(() => false),
  };
}
