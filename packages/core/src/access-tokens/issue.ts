import { CompactSign } from 'jose';
import type { AccessTokenClaimsHook } from '../config/types.js';
import { toBase64Url, utf8 } from '../crypto/encoding.js';
import { randomToken } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { JsonObject, JsonValue } from '../storage/types/json.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { UserRecord } from '../storage/types/users.js';
import { isoTime, type PublicUser, toPublicUser } from '../users/public.js';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from './claims.js';
import { asymmetricKeys, type Hs256Mac, headerSegment, hs256Keys } from './keys.js';

/** Bytes of the `jti`: 128 random bits, unique without coordination. */
const JTI_BYTES = 16;

/** A freshly issued access token. */
export interface IssuedAccessToken {
  /** The compact JWT (`header.payload.signature`). */
  readonly accessToken: string;
  /** Seconds until it expires (`session.accessToken.ttlSeconds`). */
  readonly expiresIn: number;
}

/**
 * Claims the app's hook may not set: the token's own (RFC 7519 4.1, RFC 9068 2.2, RFC 8693
 * `act`), ours, and those a resource server reads for authorization or binding.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'sid',
  'amr',
  'acr',
  'auth_time',
  'roles',
  'act',
  'cnf',
  'scope',
  'client_id',
  'typ',
  'azp',
  'may_act',
]);

/**
 * The app's own claims (`session.accessToken.claims`) for `user` and `session`: a JSON object
 * without any {@link RESERVED_CLAIMS} key. Anything else fails the issue: a hook that throws or
 * returns something else is the app's bug, logged, and the sign-in or refresh answers `INTERNAL`
 * (its session is not handed out).
 * @throws AuthError `INTERNAL`
 */
async function appClaims(
  rt: AuthRuntime,
  hook: AccessTokenClaimsHook,
  user: UserRecord,
  session: SessionRecord,
): Promise<JsonObject> {
  let out: unknown;
  try {
    out = await hook(
      toPublicUser(user, rt.config.user.fields) as PublicUser & {
        readonly [field: string]: JsonValue;
      },
      {
        id: session.id,
        createdAt: isoTime(session.createdAt),
        amr: [...session.amr],
        impersonatedBy: session.impersonatedBy ?? null,
      },
    );
  } catch (error) {
    rt.config.logger.error('session.accessToken.claims threw', { error: String(error) });
    throw new AuthError('INTERNAL', { cause: error });
  }
  // The JSON round trip first: what is checked is exactly what the token will carry (a
  // `toJSON` cannot add a reserved claim after the check).
  let json: unknown;
  try {
    json = typeof out === 'object' && out !== null ? JSON.parse(JSON.stringify(out)) : out;
  } catch (error) {
    rt.config.logger.error('session.accessToken.claims returned no JSON', { error: String(error) });
    throw new AuthError('INTERNAL', { cause: error });
  }
  const problem =
    typeof json !== 'object' || json === null || Array.isArray(json)
      ? 'did not return an object'
      : Object.keys(json).find((key) => RESERVED_CLAIMS.has(key) || key === '__proto__');
  if (problem !== undefined) {
    const message = problem.startsWith('did')
      ? problem
      : `returned the reserved claim "${problem}"`;
    rt.config.logger.error(`session.accessToken.claims ${message}`, {});
    throw new AuthError('INTERNAL');
  }
  return json as JsonObject;
}

const segment = (value: object) => toBase64Url(utf8(JSON.stringify(value)));

/**
 * Issues an access JWT for a session of the `jwt` strategy: header `{ alg, typ: 'at+jwt', kid }`
 * and claims `sub`, `sid`, `iat`, `exp`, `jti`, `iss`, `aud`, `amr`, `roles` with
 * `session.accessToken.roles` (the user read when the token is issued), and `act: { sub }`
 * (RFC 8693) naming the admin when the session is an impersonation. HS256 signs with the key
 * derived from the current secret (`kid` = its key id); EdDSA and ES256 with
 * `privateKeys[0]` (`kid` = its `kid`). The time comes from the configured clock.
 *
 * @throws AuthError `CONFIG_INVALID` when a configured private key is unusable.
 */
export async function issueAccessToken(
  rt: AuthRuntime,
  session: SessionRecord,
  /**
   * The session's user as the caller read it (for `roles` and the app's `claims`); read here
   * only when absent.
   */
  holder?: UserRecord,
): Promise<IssuedAccessToken> {
  const {
    ttlSeconds,
    issuer,
    audience,
    algorithm,
    roles,
    claims: hook,
  } = rt.config.session.accessToken;
  // Only when asked for: the user as stored now (a change reaches the next token).
  const user =
    roles || hook !== undefined
      ? (holder ?? (await rt.storage.users.getById(session.userId)))
      : undefined;
  const own =
    hook === undefined || user === undefined ? {} : await appClaims(rt, hook, user, session);
  const iat = Math.floor(rt.now() / 1000);
  const claims: AccessTokenClaims = {
    ...own,
    sub: session.userId,
    sid: session.id,
    iat,
    exp: iat + ttlSeconds,
    jti: randomToken({ bytes: JTI_BYTES, random: rt.config.random }),
    iss: issuer,
    aud: audience,
    amr: [...session.amr],
    ...(roles ? { roles: [...(user?.roles ?? [])] } : {}),
    // RFC 8693 4.1: the admin acting as the user, so a resource server can tell (and log) it.
    ...(session.impersonatedBy === undefined ? {} : { act: { sub: session.impersonatedBy } }),
  };
  if (algorithm === 'HS256') {
    const keys = hs256Keys(rt);
    const mac = keys.macs.get(keys.currentKid) as Hs256Mac;
    const input = `${headerSegment(algorithm, keys.currentKid)}.${segment(claims)}`;
    return { accessToken: `${input}.${mac(input)}`, expiresIn: ttlSeconds };
  }
  const keys = await asymmetricKeys(rt);
  const accessToken = await new CompactSign(utf8(JSON.stringify(claims)))
    .setProtectedHeader({ alg: algorithm, typ: ACCESS_TOKEN_TYPE, kid: keys.currentKid })
    .sign(keys.privateKey);
  return { accessToken, expiresIn: ttlSeconds };
}
