import { CompactSign } from 'jose';
import { toBase64Url, utf8 } from '../crypto/encoding.js';
import { randomToken } from '../crypto/tokens.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
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
  /** The session's user as the caller read it (for `roles`); read here only when absent. */
  holder?: { readonly roles?: readonly string[] | undefined },
): Promise<IssuedAccessToken> {
  const { ttlSeconds, issuer, audience, algorithm, roles } = rt.config.session.accessToken;
  // Only when asked for: the roles as stored now (a change reaches the next token).
  const user = roles ? (holder ?? (await rt.storage.users.getById(session.userId))) : undefined;
  const iat = Math.floor(rt.now() / 1000);
  const claims: AccessTokenClaims = {
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
