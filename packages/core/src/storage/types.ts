import type { AccountStore } from './types/accounts.js';
import type { AuditStore } from './types/audit.js';
import type { PasskeyStore } from './types/passkeys.js';
import type { RateLimitStore } from './types/rate-limits.js';
import type { SessionRecord, SessionStore } from './types/sessions.js';
import type { TokenStore } from './types/tokens.js';
import type { TwoFactorStore } from './types/two-factor.js';
import type { UserRecord, UserStore } from './types/users.js';

export type { AccountPatch, AccountRecord, AccountStore } from './types/accounts.js';
export type {
  AuditEventRecord,
  AuditListAllOptions,
  AuditListOptions,
  AuditStore,
  NewAuditEvent,
} from './types/audit.js';
export type { JsonObject, JsonValue } from './types/json.js';
export type { PasskeyRecord, PasskeyStore, PasskeyUse } from './types/passkeys.js';
export type {
  RateLimitHit,
  RateLimitHitOptions,
  RateLimitStore,
  RateLimitWindow,
} from './types/rate-limits.js';
export type {
  SessionMarkFreshOptions,
  SessionRecord,
  SessionRotateOptions,
  SessionStore,
  SessionTouchOptions,
} from './types/sessions.js';
export type {
  OneTimeTokenRecord,
  TokenConsumeOptions,
  TokenConsumeResult,
  TokenStore,
} from './types/tokens.js';
export type {
  NewRecoveryCode,
  RecoveryCodeRecord,
  TrustedDeviceRecord,
  TwoFactorStore,
} from './types/two-factor.js';
export type {
  TotpState,
  UserListQuery,
  UserPatch,
  UserRecord,
  UserStore,
} from './types/users.js';

/** The eight stores of a {@link Storage}, by name. */
export interface StorageStores {
  /** Users, with unique normalized email and username. */
  readonly users: UserStore;
  /**
   * Sign-in identities at OAuth 2 / OpenID Connect providers linked to users, unique per
   * `(provider, subject)`. Keep them next to `users` (the same database): the PostgreSQL
   * adapter's foreign key deletes a user's links with the user row, and core deletes them with
   * `deleteByUser` when it deletes an account.
   */
  readonly accounts: AccountStore;
  /**
   * Users' passkeys (WebAuthn credentials), unique per credential id. Keep them next to `users`
   * (the same database): the PostgreSQL adapter's foreign key deletes a user's passkeys with the
   * user row, and core deletes them with `deleteByUser` when it deletes an account.
   */
  readonly passkeys: PasskeyStore;
  /** Sessions (cookie and jwt strategies). */
  readonly sessions: SessionStore;
  /** One-time tokens: links, codes, second-factor challenges. */
  readonly tokens: TokenStore;
  /** Recovery codes and trusted devices. */
  readonly twoFactor: TwoFactorStore;
  /** Rate-limit counters and lockouts. */
  readonly rateLimits: RateLimitStore;
  /** Append-only security events. */
  readonly audit: AuditStore;
}

/**
 * The name of one store: `'users' | 'accounts' | 'passkeys' | 'sessions' | 'tokens' |
 * 'twoFactor' | 'rateLimits' | 'audit'`.
 */
export type StoreName = keyof StorageStores;

/** Every {@link StoreName}, in a stable order. */
export const STORE_NAMES: readonly StoreName[] = Object.freeze([
  'users',
  'accounts',
  'passkeys',
  'sessions',
  'tokens',
  'twoFactor',
  'rateLimits',
  'audit',
]);

/**
 * A session as validation reads it: every field of {@link SessionRecord} but the replaced
 * refresh hashes, which only the store's own `rotateRefresh` needs.
 */
export type LiveSessionRecord = Omit<SessionRecord, 'previousRefreshHashes'>;

/** What {@link Storage.sessionWithUser} finds: a live session and the user who owns it. */
export interface SessionWithUser {
  /**
   * The session, live at the `now` of the lookup, without `previousRefreshHashes` (validation
   * never reads them, and a session refreshed for weeks has thousands; an adapter may still
   * include them).
   */
  readonly session: LiveSessionRecord;
  /** Its user; `undefined` only when the user row is gone (core then refuses the session). */
  readonly user: UserRecord | undefined;
}

/**
 * Everything core persists: eight small stores of async methods. Core ships `memoryStorage()`;
 * adapters (`@portcullis/postgres`, `@portcullis/redis`, your own) implement the same contract,
 * which `describeStorageConformance` from `@portcullis/core/testing` checks. Mix backends with
 * `composeStorage`.
 *
 * Rules for every method: times are epoch milliseconds passed in as `now` (a store never reads
 * a clock, and TTLs only collect garbage); a record is live while `now < expiresAt`; a lookup
 * that finds nothing resolves to `undefined`; branching outcomes are string results; core
 * generates every id, hash and normalized value. A store throws when its backend fails; core
 * turns anything that is not an `AuthError` into `STORAGE_UNAVAILABLE`.
 */
export interface Storage extends StorageStores {
  /**
   * Runs `fn` in one transaction when the backend has them (PostgreSQL): the stores of `tx` see
   * and write inside it; it commits when `fn` resolves and rolls back (rethrowing) when `fn`
   * rejects. Absent when the backend cannot, in which case core relies on the safe order of
   * its multi-step flows.
   */
  transaction?<T>(fn: (tx: Storage) => Promise<T>): Promise<T>;
  /**
   * Optional fast path for validating a session: the session with this id if it is live at
   * `now` (as `sessions.get`), together with its user (as `users.getById(session.userId)`), in
   * one round trip — a join in SQL, one cached entry in a cache. Resolves to `undefined` when
   * `sessions.get` would. It must answer exactly what those two calls would answer at that
   * moment (the session's `previousRefreshHashes` aside: it may leave them out): after any write through this storage's `users` or `sessions`, a cached answer is
   * gone. Absent: core makes the two calls. `composeStorage` offers it only when its `users`
   * and `sessions` are both those of the storage that has it.
   */
  sessionWithUser?(id: string, now: number): Promise<SessionWithUser | undefined>;
}
