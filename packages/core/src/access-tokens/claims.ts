import { AuthError } from '../errors/auth-error.js';

/** RFC 9068 2.1: the `typ` of a JWT access token, which no other token of ours carries. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * The claims of a Portcullis access token (RFC 9068 profile), as `verifyAccessToken` resolves
 * them. Times are seconds since the epoch. The object is frozen: verified claims may be shared
 * between callers (cache), so nobody can change what another caller sees.
 */
export interface AccessTokenClaims {
  /** The user id. */
  readonly sub: string;
  /** The session id: what `auth.logout(sid)` and `DELETE /sessions/:id` revoke. */
  readonly sid: string;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch (`iat + ttlSeconds`). */
  readonly exp: number;
  /** Unique token id: 128 random bits, base64url. */
  readonly jti: string;
  /** Issuer: `session.accessToken.issuer` (default: the origin of `appUrl`). */
  readonly iss: string;
  /** Audience: `session.accessToken.audience` (default: the origin of `appUrl`). */
  readonly aud: string;
  /** How the user authenticated (RFC 8176 values such as `pwd`, `otp`). */
  readonly amr: readonly string[];
  /**
   * The user's roles when the token was issued; present only with
   * `session.accessToken.roles: true`.
   */
  readonly roles?: readonly string[];
  /**
   * RFC 8693 4.1, the actor: present only on tokens of a session an admin opened by
   * impersonation, naming the admin (`{ sub: adminId }`); `sub` is still the impersonated user.
   */
  readonly act?: { readonly sub: string };
}

/** Claims that passed every check that does not depend on time, plus what the time checks need. */
export interface CheckedClaims {
  readonly claims: AccessTokenClaims;
  /** The later of `iat` and `nbf`: the token is refused while this is in the future. */
  readonly notBefore: number;
}

/**
 * The one answer to every access-token failure: `UNAUTHENTICATED`, with the reason only in
 * `cause` (an attacker probing tokens learns nothing about which check failed).
 * @internal
 */
export function rejectToken(reason: string, cause?: unknown): never {
  throw new AuthError('UNAUTHENTICATED', {
    cause: new Error(`access token refused: ${reason}`, cause === undefined ? {} : { cause }),
  });
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The claims {@link checkClaims} checks one by one; any other is the app's own. */
const KNOWN = new Set([
  'sub',
  'sid',
  'iat',
  'exp',
  'jti',
  'iss',
  'aud',
  'nbf',
  'amr',
  'roles',
  'act',
]);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Checks the claim set of a token whose signature was already verified: every claim present
 * with its type, `iss` and `aud` exactly the configured ones. Keeps the documented claims as
 * checked (`nbf` only for the time checks) and the app's own (`session.accessToken.claims`) as
 * signed.
 * @throws AuthError `UNAUTHENTICATED`
 * @internal
 */
export function checkClaims(
  payload: unknown,
  expected: { readonly issuer: string; readonly audience: string },
): CheckedClaims {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    rejectToken('claims are not an object');
  }
  const p = payload as Record<string, unknown>;
  const { sub, sid, jti, iat, exp, nbf, amr, roles, act } = p;
  if (!isText(sub) || !isText(sid) || !isText(jti)) rejectToken('missing sub, sid or jti');
  if (!isTime(iat) || !isTime(exp)) rejectToken('missing iat or exp');
  if (nbf !== undefined && !isTime(nbf)) rejectToken('malformed nbf');
  if (!Array.isArray(amr) || !amr.every((m) => typeof m === 'string')) rejectToken('missing amr');
  if (
    roles !== undefined &&
    (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))
  ) {
    rejectToken('malformed roles');
  }
  // Only the shape we write: `{ sub }`. A nested `act` (a chain of actors) is never ours.
  const actor =
    act === undefined
      ? undefined
      : typeof act === 'object' &&
          act !== null &&
          !Array.isArray(act) &&
          Object.keys(act).length === 1 &&
          isText((act as { sub?: unknown }).sub)
        ? (act as { sub: string }).sub
        : rejectToken('malformed act');
  // A token minted for another issuer or service (same key, other deployment) is not ours to
  // accept (RFC 8725 3.8, 3.9). Exact string match: no arrays, no normalization.
  if (p.iss !== expected.issuer) rejectToken('wrong iss');
  if (p.aud !== expected.audience) rejectToken('wrong aud');
  // The app's own claims (`session.accessToken.claims`): every other key, as signed, frozen.
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(p)) {
    if (!KNOWN.has(key) && key !== '__proto__') own[key] = deepFreeze(value);
  }
  const claims: AccessTokenClaims = Object.freeze({
    ...own,
    sub,
    sid,
    iat,
    exp,
    jti,
    iss: expected.issuer,
    aud: expected.audience,
    amr: Object.freeze([...(amr as string[])]),
    ...(roles === undefined ? {} : { roles: Object.freeze([...(roles as string[])]) }),
    ...(actor === undefined ? {} : { act: Object.freeze({ sub: actor }) }),
  });
  return { claims, notBefore: nbf === undefined ? iat : Math.max(iat, nbf) };
}

/**
 * The checks that depend on the time, re-run on every verification (cached tokens included).
 * @throws AuthError `UNAUTHENTICATED` when expired (`now >= exp + leeway`, RFC 7519 4.1.4) or
 * not yet valid (`nbf` or `iat` later than `now + leeway`: a token from the future is forged or
 * from a broken clock).
 * @internal
 */
export function checkClaimTimes(
  checked: CheckedClaims,
  nowSeconds: number,
  leewaySeconds: number,
): void {
  if (nowSeconds >= checked.claims.exp + leewaySeconds) rejectToken('expired');
  if (checked.notBefore > nowSeconds + leewaySeconds) rejectToken('not yet valid');
}
