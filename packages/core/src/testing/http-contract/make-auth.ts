import type { AuthConfig } from '../../config/types.js';
import { type Auth, createAuth } from '../../create-auth.js';
import type { AuthEvent } from '../../events/types.js';
import type { Logger } from '../../logging/logger.js';
import type { MemoryMailer } from '../../mail/memory.js';
import { createPasswordHasher } from '../../password/hasher.js';
import { type MemorySmsSender, memorySmsSender } from '../../sms/memory.js';
import { memoryStorage } from '../../storage/memory/index.js';
import type { FakeClock } from '../fake-clock.js';

/** The app origin every Auth of the suite trusts (`appUrl`). */
export const APP_URL = 'http://localhost:3000';
/** A cross-origin app listed in `http.corsOrigins` (not a trusted origin). */
export const CORS_ORIGIN = 'https://spa.example';
/** An origin listed in `http.trustedOrigins`. */
export const TRUSTED_ORIGIN = 'https://trusted.example';
/** Start of the suite's fake clock. */
export const T0 = Date.UTC(2026, 0, 1);

/** Which session strategy a describe block runs. */
export interface ContractVariant {
  readonly strategy: 'cookie' | 'jwt';
  /** Refresh token transport of the jwt strategy; `undefined` for cookies. */
  readonly transport?: 'cookie' | 'body';
  /** Access token algorithm of the jwt strategy. */
  readonly algorithm?: 'HS256' | 'EdDSA';
}

/** Options the suite passes to every Auth it creates. */
export interface ContractSetupOptions {
  readonly basePath?: string;
  readonly config?: ContractAuthConfig;
}

/** Configuration an integrator may add to the suite's Auth instances. */
export type ContractAuthConfig = Partial<
  Omit<
    AuthConfig,
    'storage' | 'mailer' | 'sms' | 'appUrl' | 'clock' | 'logger' | 'onEvent' | 'session'
  >
>;

async function ed25519Key(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk: JsonWebKey & { kid?: string } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  jwk.kid = 'contract-ed25519';
  return jwk;
}

/** What {@link makeContractAuth} wires into the Auth besides the options. */
export interface ContractAuthParts {
  readonly variant: ContractVariant;
  readonly basePath: string;
  readonly options: ContractSetupOptions;
  readonly mailer: MemoryMailer;
  readonly clock: FakeClock;
  /** Receives every log line. */
  readonly logs: string[];
  /** Receives every event. */
  readonly events: AuthEvent[];
}

const smsSenders = new WeakMap<Auth, MemorySmsSender>();

/** The memory SMS sender of an Auth that {@link makeContractAuth} made; `undefined` for others. */
export function contractSms(auth: Auth): MemorySmsSender | undefined {
  return smsSenders.get(auth);
}

/**
 * The Auth of one describe block: memory storage, the suite's mailer, a memory SMS sender
 * ({@link contractSms}) and fake clock, a cheap argon2id hasher, captured logs and events, the
 * variant's session strategy.
 */
export async function makeContractAuth(parts: ContractAuthParts): Promise<Auth> {
  const { variant, basePath, options, mailer, clock, logs, events } = parts;
  const log = (level: string) => (message: string, fields?: object) => {
    logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
  const accessToken =
    variant.algorithm === 'EdDSA'
      ? { algorithm: 'EdDSA' as const, privateKeys: [await ed25519Key()] }
      : { algorithm: 'HS256' as const };
  const sms = memorySmsSender();
  const auth = createAuth({
    secret: 'http-contract-secret-0123456789abcdef',
    ...options.config,
    storage: memoryStorage(),
    mailer,
    sms,
    appUrl: APP_URL,
    clock,
    logger,
    onEvent: (event) => {
      events.push(event);
    },
    password: { ...options.config?.password, hasher },
    session: { strategy: variant.strategy, accessToken },
    http: {
      ...options.config?.http,
      basePath,
      trustedOrigins: [TRUSTED_ORIGIN, ...(options.config?.http?.trustedOrigins ?? [])],
      corsOrigins: [CORS_ORIGIN, ...(options.config?.http?.corsOrigins ?? [])],
      ...(variant.transport === undefined ? {} : { refreshTokenTransport: variant.transport }),
    },
  });
  smsSenders.set(auth, sms);
  return auth;
}
