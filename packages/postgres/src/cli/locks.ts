import type { UserRecord } from '@portcullis/core/storage';
import type { SqlQueryable } from '../client/types.js';
import { ms } from '../sql.js';

/**
 * A user's sign-in and second-factor counters and locks, as core keys them in the rate-limit
 * store (`abuse/rate-limit.ts` `ruleKey`: `<rule>:<subject>`):
 * - `loginPerAccount:<identifier>` for the email (core's `passwordCheckKey`: the normalized
 *   email as a sign-in identifier) and for the username (`unlockAccount` clears both);
 * - with `loginPerAccount.key: 'identifier+ip'`, `loginPerAccount:<ip subject> <identifier>`,
 *   one per client address (`accountSubject`; an IP subject holds no space, so the first space
 *   splits the pair);
 * - `secondFactorPerAccount:<user id>` (`two-factor/failure.ts`).
 * Core exports none of these helpers, so they are repeated here; the CLI tests make real locks
 * through `createAuth` to hold this copy to core's keys.
 */
export interface LockKeys {
  /** The sign-in identifiers (email, then username), the subject of `loginPerAccount`. */
  readonly identifiers: readonly string[];
  /** Exact keys: the IP-less sign-in keys and the second-factor key. */
  readonly exact: readonly string[];
}

const SIGN_IN = 'loginPerAccount:';
const SECOND_FACTOR = 'secondFactorPerAccount:';

/** The keys of {@link LockKeys} for `user`. */
export function lockKeysOf(
  user: Pick<UserRecord, 'id' | 'emailNormalized' | 'usernameNormalized'>,
): LockKeys {
  // core's normalizeIdentifier: what a sign-in with this email is counted under.
  const email = user.emailNormalized.trim().normalize('NFKC').toLowerCase();
  const identifiers =
    user.usernameNormalized === undefined ? [email] : [email, user.usernameNormalized];
  return {
    identifiers,
    exact: [...identifiers.map((i) => `${SIGN_IN}${i}`), `${SECOND_FACTOR}${user.id}`],
  };
}

/** One rate-limit row of a user: which rule, and its lock's end (epoch ms) if it has one. */
export interface LockRow {
  readonly key: string;
  readonly kind: 'signIn' | 'secondFactor';
  readonly lockedUntil: number | undefined;
}

/**
 * Every rate-limit row of the user: the exact keys, and the IP-paired sign-in keys of any
 * client address. A scan of `rate_limits` (no index serves a suffix), which holds one row per
 * live counter: fine for an operator's command.
 */
export async function findLockRows(
  db: SqlQueryable,
  table: string,
  keys: LockKeys,
): Promise<LockRow[]> {
  const { rows } = await db.query<{ key: string; locked_until: number | null }>(
    `SELECT key, ${ms('locked_until', 'locked_until')} FROM ${table}
      WHERE key = ANY($1::text[])
         OR (left(key, ${SIGN_IN.length}) = $2 AND strpos(key, ' ') > 0
             AND substr(key, strpos(key, ' ') + 1) = ANY($3::text[]))
      ORDER BY key`,
    [keys.exact, SIGN_IN, keys.identifiers],
  );
  return rows.map((r) => ({
    key: r.key,
    kind: r.key.startsWith(SECOND_FACTOR) ? 'secondFactor' : 'signIn',
    lockedUntil: r.locked_until ?? undefined,
  }));
}

/** The latest live lock of each kind among `rows` at `now` (epoch ms), or `null`. */
export function liveLocks(
  rows: readonly LockRow[],
  now: number,
): { signIn: number | null; secondFactor: number | null } {
  const latest = (kind: LockRow['kind']) =>
    rows
      .filter((r) => r.kind === kind && r.lockedUntil !== undefined && r.lockedUntil > now)
      .reduce<number | null>((max, r) => Math.max(max ?? 0, r.lockedUntil ?? 0), null);
  return { signIn: latest('signIn'), secondFactor: latest('secondFactor') };
}
