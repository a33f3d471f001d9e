import { randomToken } from '../../crypto/tokens.js';
import type { AuthRuntime } from '../../runtime/context.js';
import type { SessionInfo } from '../../sessions/types.js';
import type { BodyFields } from '../body.js';
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
  };
}

/** Set-Cookie lines that delete the auth cookies. */
export function clearAuthCookies(
  rt: AuthRuntime,
  kinds: readonly ('session' | 'refresh')[],
): string[] {
  return kinds.map((kind) => serializeCookie(cookieSpec(rt.config, kind), '', 0));
}

const CSRF_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The CSRF token of the request's cookie when well-formed, else a new one; and its cookie. */
export function csrfToken(rt: AuthRuntime, request: Request, options: { rotate: boolean }) {
  const spec = cookieSpec(rt.config, 'csrf');
  const existing = readCookie(request, spec.name);
  const token =
    !options.rotate && existing !== undefined && CSRF_TOKEN.test(existing)
      ? existing
      : randomToken({ random: rt.config.random });
  // A session-lifetime cookie: it carries no authority by itself.
  return { token, cookie: serializeCookie(spec, token) };
}
