import type { AuthOptions } from '../../create-auth.js';
import { randomToken } from '../../crypto/tokens.js';
import type { RequestContext } from '../../events/types.js';
import type { SessionInfo } from '../../sessions/types.js';
import type { BodyFields } from '../body.js';
import type { HttpContext } from '../context.js';
import { cookieSpec, readCookie, serializeCookie } from '../cookies.js';

/**
 * Picks the named fields of a body for a flow's input. Values pass through untouched: the
 * flow's schema decides, so a number where a string belongs is a `VALIDATION_FAILED` naming it.
 */
export function pick<T>(body: BodyFields, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const name of names) if (body[name] !== undefined) out[name] = body[name];
  return out as T;
}

/**
 * The proof fields of a sensitive route's body, passed to the `Auth` method unchanged (core
 * applies the freshness rules, `requireStepUp`): `code` and `method` (a second factor in the
 * same request) and the caller's session. A value of the wrong type reaches the method's
 * schema, which refuses it with `VALIDATION_FAILED`.
 */
export function stepUp(body: BodyFields, sessionId: string) {
  return pick<{ code?: string; method?: 'totp' | 'recovery'; sessionId: string }>(
    { ...body, sessionId },
    ['code', 'method', 'sessionId'],
  );
}

/** A session as `/session` and `/sessions` show it (the contract's keys, nothing else). */
export function sessionView(s: SessionInfo) {
  return {
    id: s.id,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    expiresAt: s.expiresAt,
    ip: s.ip,
    userAgent: s.userAgent,
    current: s.current,
    impersonatedBy: s.impersonatedBy,
  };
}

/**
 * A boolean field of a JSON or form body: forms carry strings, so `"true"`/`"on"`/`"1"` read
 * as true and `"false"`/`"off"`/`"0"`/`""` as false. Anything else passes through untouched, for
 * the flow's schema to refuse.
 */
export function flag(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'off' || v === '0' || v === '') return false;
  return value;
}

/**
 * The request's context plus the raw trusted-device cookie and the session the browser still
 * holds, for the sign-in routes only (`/login`, `/2fa/verify`): both are secrets and go
 * nowhere else.
 */
export function signInContext(ctx: HttpContext): RequestContext {
  const token = readCookie(ctx.request, cookieSpec(ctx.config, 'device').name);
  // The session this browser still holds (its cookie, or its refresh cookie): a sign-in ends it.
  const held =
    readCookie(ctx.request, cookieSpec(ctx.config, 'session').name) ??
    readCookie(ctx.request, cookieSpec(ctx.config, 'refresh').name);
  return {
    ...ctx.client,
    ...(token === undefined || token === '' ? {} : { trustedDevice: token }),
    ...(held === undefined || held === '' ? {} : { replacesSession: held }),
  };
}

/**
 * The request's context plus the browser's challenge binding (the HttpOnly challenge cookie),
 * for the routes that carry a sign-in challenge (`/2fa/verify`, `/2fa/email/send`,
 * `/2fa/sms/send`): a challenge bound to a browser opens only with it.
 */
export function challengeContext(ctx: HttpContext, base: RequestContext = ctx.client) {
  const binding = readCookie(ctx.request, cookieSpec(ctx.config, 'challenge').name);
  return binding === undefined || binding === '' ? base : { ...base, challengeBinding: binding };
}

/**
 * Whether a sign-in comes from a browser: it sends `Origin` on a POST or Fetch Metadata
 * (`Sec-Fetch-Site`), which native apps and servers do not. Its challenge is then bound to it.
 */
export function fromBrowser(request: Request): boolean {
  return request.headers.has('origin') || request.headers.has('sec-fetch-site');
}

/** Set-Cookie lines that delete the auth cookies (`device`: the trusted-device cookie). */
export function clearAuthCookies(
  config: AuthOptions,
  kinds: readonly ('session' | 'refresh' | 'device' | 'challenge')[],
): string[] {
  return kinds.map((kind) => serializeCookie(cookieSpec(config, kind), '', 0));
}

/**
 * The CSRF token for a response and its cookie (readable by the page's script, which sends it
 * back as `x-csrf-token`): the session's own token (`auth.sessions.csrfToken`) when
 * `sessionId` is given, else a random placeholder that no route accepts (before sign-in there
 * is nothing to protect; the sign-in answer sets the session's token).
 */
export function csrfToken(ctx: HttpContext, sessionId: string | undefined) {
  const spec = cookieSpec(ctx.config, 'csrf');
  const token =
    sessionId === undefined
      ? randomToken({ random: ctx.config.random })
      : ctx.auth.sessions.csrfToken(sessionId);
  // A session-lifetime cookie: it carries no authority by itself.
  return { token, cookie: serializeCookie(spec, token) };
}
