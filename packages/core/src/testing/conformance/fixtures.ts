import { expect } from 'vitest';
import { randomToken } from '../../crypto/tokens.js';
import { TOKEN_PURPOSES } from '../../storage/purposes.js';
import type { AccountRecord } from '../../storage/types/accounts.js';
import type { PasskeyRecord } from '../../storage/types/passkeys.js';
import type { SessionRecord } from '../../storage/types/sessions.js';
import type { OneTimeTokenRecord } from '../../storage/types/tokens.js';
import type { TrustedDeviceRecord } from '../../storage/types/two-factor.js';
import type { UserRecord } from '../../storage/types/users.js';
import type { Storage, StoreName } from '../../storage/types.js';

/** What one check runs against: the storage under test, record owners, and a way to skip. */
export interface ConformanceContext {
  /** The storage under test. */
  readonly storage: () => Storage;
  /**
   * The id of a new user to own the records a check writes (linked accounts, sessions, tokens,
   * recovery codes, trusted devices, audit events). When `users` is among the stores under test, the user is
   * created through `storage.users.create` first, so a schema whose user-owned tables have
   * foreign keys to `users` accepts the records; otherwise it is only a fresh id.
   */
  readonly owner: () => Promise<string>;
  /** The stores under test. */
  readonly stores: readonly StoreName[];
  /** Ends the check as skipped (it needs an optional method the storage does not offer). */
  readonly skip: (reason: string) => never;
}

/** Adds one check to a group: `check(name, run)`, the kit's counterpart of vitest's `it`. */
export type AddCheck = (name: string, run: (ctx: ConformanceContext) => Promise<void>) => void;

/** Concurrent callers in race checks. */
export const RACERS = 20;

/** One minute and one hour, in milliseconds. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * A unique id, so checks never collide in a shared database nor with an earlier run. 96 random
 * bits, base64url, prefixed by what it names.
 */
export function uid(prefix: string): string {
  return `${prefix}-${randomToken({ bytes: 12 })}`;
}

/**
 * The `now` a check starts from. Real time, so that an adapter which also sets TTLs from the
 * record's times (Redis `PEXPIREAT`) keeps records alive while the check runs; every other
 * time in a check is this plus an offset.
 */
export function startTime(): number {
  return Math.floor(Date.now() / 1000) * 1000;
}

/**
 * The credential generation of fixtures: above 2^52, so a store that keeps it in a 32-bit
 * column, a float that rounds, or a driver that returns 64-bit integers as strings fails.
 */
export const GENERATION = 2 ** 52 + 3;

/** A user with unique id, email and username. */
export function newUser(now: number, overrides: Partial<UserRecord> = {}): UserRecord {
  const id = uid('user');
  const email = `${id}@Example.test`;
  return {
    id,
    email,
    emailNormalized: email.toLowerCase(),
    username: `U_${id}`,
    usernameNormalized: `u_${id}`.toLowerCase(),
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    metadata: { plan: 'pro', tags: ['a', 'ü'], nested: { n: 1, ok: true, none: null } },
    disabled: false,
    credentialGeneration: GENERATION,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * A linked account of `userId` at the provider `oidc`, with a unique subject, an email and
 * encrypted tokens.
 */
export function newAccount(
  userId: string,
  now: number,
  overrides: Partial<AccountRecord> = {},
): AccountRecord {
  const subject = uid('sub');
  return {
    id: uid('acct'),
    userId,
    provider: 'oidc',
    subject,
    email: `${subject}@Provider.example`,
    createdAt: now,
    lastUsedAt: now,
    encryptedTokens: `v1.${uid('sealed')}`,
    ...overrides,
  };
}

/**
 * A passkey of `userId` with a unique id and credential id, counter 0, two transports, a synced
 * device type and no `lastUsedAt` (never used).
 */
export function newPasskey(
  userId: string,
  now: number,
  overrides: Partial<PasskeyRecord> = {},
): PasskeyRecord {
  return {
    id: uid('pk'),
    userId,
    credentialId: uid('cred'),
    publicKey: `pQECAyYgASFYI${uid('key')}`,
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'multiDevice',
    backedUp: true,
    name: 'MacBook',
    createdAt: now,
    ...overrides,
  };
}

/** A live session of `userId`: idle expiry in one hour, absolute in ten. */
export function newSession(
  userId: string,
  now: number,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id: uid('sess'),
    userId,
    secretHash: uid('secret-hash'),
    refreshHash: uid('refresh-hash'),
    previousRefreshHashes: [],
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + HOUR,
    absoluteExpiresAt: now + 10 * HOUR,
    freshUntil: now + 5 * MINUTE,
    ip: '203.0.113.7',
    userAgent: 'Conformance/1.0',
    amr: ['pwd'],
    credentialGeneration: GENERATION,
    ...overrides,
  };
}

/** A live one-time token of `userId` that expires in one hour. */
export function newToken(
  userId: string,
  now: number,
  overrides: Partial<OneTimeTokenRecord> = {},
): OneTimeTokenRecord {
  return {
    purpose: TOKEN_PURPOSES.verifyEmail,
    selector: uid('sel'),
    verifierHash: uid('verifier-hash'),
    userId,
    payload: { newEmail: 'new@example.test' },
    expiresAt: now + HOUR,
    attempts: 0,
    ...overrides,
  };
}

/** A trusted device of `userId` that expires in one day. */
export function newDevice(
  userId: string,
  now: number,
  overrides: Partial<TrustedDeviceRecord> = {},
): TrustedDeviceRecord {
  return {
    id: uid('dev'),
    userId,
    secretHash: uid('device-hash'),
    userAgent: 'Conformance/1.0',
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 24 * HOUR,
    credentialGeneration: GENERATION,
    ...overrides,
  };
}

/** How many times each value occurs: race checks compare these tallies. */
export function tally<T>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** `n` calls of `fn` started together, awaited together. */
export function race<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** Resolves after `n` turns of the microtask queue (an in-process store's await). */
export async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
}

/** Resolves after `n` turns of the event loop (a store with network round trips). */
export async function macrotasks(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/**
 * Asserts that `record` holds exactly the keys of `expected`: an absent optional field must be
 * absent, not `null` and not a key holding `undefined` (which `toEqual` would let pass).
 */
export function expectSameKeys(record: object | undefined, expected: object, what: string): void {
  expect(record, what).toBeDefined();
  expect(Object.keys(record ?? {}).sort(), `${what}: keys`).toEqual(Object.keys(expected).sort());
}
