import type { AuthRuntime } from './context.js';

/**
 * Where an `Auth` object keeps its runtime for the other entry points of core (the HTTP
 * handler). `Symbol.for`, so the ESM and CJS builds loaded side by side still agree.
 * Not part of the public API.
 */
const RUNTIME = Symbol.for('portcullis.runtime');

/** Attaches the runtime to an Auth object (non-enumerable). */
export function attachRuntime<T extends object>(auth: T, rt: AuthRuntime): T {
  Object.defineProperty(auth, RUNTIME, { value: rt, enumerable: false });
  return auth;
}

/** The runtime of an Auth object made by `createAuth`. */
export function runtimeOf(auth: object): AuthRuntime {
  const rt = (auth as Record<symbol, AuthRuntime | undefined>)[RUNTIME];
  if (!rt) throw new TypeError('Not an Auth instance made by createAuth()');
  return rt;
}
