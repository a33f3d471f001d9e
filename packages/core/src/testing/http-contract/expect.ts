import { expect } from 'vitest';
import type { ContractResponse } from './client.js';
import type { ContractContext } from './context.js';
import type { SetCookie } from './cookie-jar.js';

/** Keys of a `user` object, sorted. */
export const USER_KEYS = [
  'createdAt',
  'email',
  'emailVerified',
  'firstName',
  'id',
  'lastName',
  'roles',
  'twoFactorEnabled',
  'username',
];

/** Keys of an item of `GET /sessions`, sorted. */
export const SESSION_KEYS = [
  'createdAt',
  'current',
  'expiresAt',
  'id',
  'impersonatedBy',
  'ip',
  'lastSeenAt',
  'userAgent',
];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Sorted own keys of a value that must be a plain object. */
export function keysOf(value: unknown): string[] {
  expect(value, 'a JSON object').toBeTypeOf('object');
  expect(value).not.toBeNull();
  expect(Array.isArray(value)).toBe(false);
  return Object.keys(value as object).sort();
}

/** Asserts an ISO 8601 UTC time string. */
export function expectIsoTime(value: unknown): void {
  expect(value).toBeTypeOf('string');
  expect(value).toMatch(ISO);
}

/** Asserts a `user` object: exactly the contract's keys, each of the right type. */
export function expectUser(value: unknown, expected: Record<string, unknown> = {}): void {
  expect(keysOf(value)).toEqual(USER_KEYS);
  const user = value as Record<string, unknown>;
  expect(user.id).toBeTypeOf('string');
  expect(user.email).toBeTypeOf('string');
  expect(user.emailVerified).toBeTypeOf('boolean');
  expect(user.twoFactorEnabled).toBeTypeOf('boolean');
  expect(
    Array.isArray(user.roles) && (user.roles as unknown[]).every((r) => typeof r === 'string'),
  ).toBe(true);
  for (const key of ['username', 'firstName', 'lastName']) {
    expect(user[key] === null || typeof user[key] === 'string', `${key} is a string or null`).toBe(
      true,
    );
  }
  expectIsoTime(user.createdAt);
  expect(user).toMatchObject(expected);
}

/** Asserts a session item of `GET /sessions`: exactly the contract's keys. */
export function expectSessionItem(value: unknown): void {
  expect(keysOf(value)).toEqual(SESSION_KEYS);
  const s = value as Record<string, unknown>;
  expect(s.id).toBeTypeOf('string');
  for (const key of ['createdAt', 'lastSeenAt', 'expiresAt']) expectIsoTime(s[key]);
  expect(s.current).toBeTypeOf('boolean');
  expect(s.ip === null || typeof s.ip === 'string').toBe(true);
  expect(s.userAgent === null || typeof s.userAgent === 'string').toBe(true);
  expect(s.impersonatedBy === null || typeof s.impersonatedBy === 'string').toBe(true);
}

/** Asserts the contract's JSON content type. */
export function expectJson(res: ContractResponse): void {
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json\b/i);
}

/**
 * Asserts an error answer: `status`, JSON, a body of exactly `{error:{code,message,details?}}`,
 * `details` only for `VALIDATION_FAILED` and `WEAK_PASSWORD`, and no stack trace or file path.
 * Returns the error object.
 */
export function expectError(
  res: ContractResponse,
  status: number,
  code: string,
): { code: string; message: string; details?: { path?: string; message: string }[] } {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { error: { code } },
  });
  expectJson(res);
  expect(keysOf(res.body)).toEqual(['error']);
  const error = (res.body as { error: Record<string, unknown> }).error;
  const keys = keysOf(error);
  expect(['code', 'message'].every((k) => keys.includes(k))).toBe(true);
  expect(keys.every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(error.message).toBeTypeOf('string');
  expect(String(error.message).length).toBeGreaterThan(0);
  if (keys.includes('details')) {
    expect(['VALIDATION_FAILED', 'WEAK_PASSWORD']).toContain(code);
    expect(Array.isArray(error.details)).toBe(true);
    for (const d of error.details as unknown[]) {
      expect((d as { message?: unknown }).message).toBeTypeOf('string');
    }
  }
  expectNoStack(res.text);
  return error as ReturnType<typeof expectError>;
}

/** Asserts `VALIDATION_FAILED` whose details name every field in `paths`. */
export function expectValidation(res: ContractResponse, paths: readonly string[]): void {
  const error = expectError(res, 400, 'VALIDATION_FAILED');
  expect(Array.isArray(error.details)).toBe(true);
  const named = (error.details ?? []).map((d) => d.path);
  for (const path of paths) expect(named).toContain(path);
}

/** Asserts that a text holds no stack trace and no source path. */
export function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at\s|\bat\s+\S+\s+\(|node_modules|\.[cm]?[jt]s:\d+/);
}

/** Asserts a `204` with an empty body. */
export function expectNoContent(res: ContractResponse): void {
  expect({ status: res.status, text: res.text }).toEqual({ status: 204, text: '' });
}

/** Asserts a success status and a JSON body; returns the body as a record. */
export function expectOk(res: ContractResponse, status = 200): Record<string, unknown> {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expectJson(res);
  expect(keysOf(res.body)).toBeDefined();
  return res.body as Record<string, unknown>;
}

/**
 * Asserts a signed-in `/login` (or `/2fa/verify`) answer for the context's strategy: the exact
 * body keys and the session cookie or the refresh cookie.
 */
export function expectSignedIn(ctx: ContractContext, res: ContractResponse): void {
  const body = expectOk(res);
  expectUser(body.user);
  expect(body.status).toBe('signed_in');
  if (ctx.variant.strategy === 'cookie') {
    expect(keysOf(body)).toEqual(['session', 'status', 'user']);
    expect(keysOf(body.session)).toEqual(['expiresAt', 'id']);
    expectIsoTime((body.session as { expiresAt: unknown }).expiresAt);
    expect(cookieOf(res, SESSION_COOKIE)?.value).toMatch(/^[\w-]+\.[\w-]+$/);
    return;
  }
  const bodyTransport = ctx.variant.transport === 'body';
  expect(keysOf(body)).toEqual(
    bodyTransport
      ? ['accessToken', 'expiresIn', 'refreshToken', 'status', 'user']
      : ['accessToken', 'expiresIn', 'status', 'user'],
  );
  expect(body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(body.expiresIn).toBe(900);
  expect(cookieOf(res, SESSION_COOKIE)).toBeUndefined();
  if (bodyTransport) {
    expect(body.refreshToken).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(cookieOf(res, REFRESH_COOKIE)).toBeUndefined();
  } else {
    expect(cookieOf(res, REFRESH_COOKIE)?.value).toMatch(/^[\w-]+\.[\w-]+$/);
  }
}

/** Default name of the session cookie (cookie strategy). */
export const SESSION_COOKIE = '__Host-portcullis.session';
/** Default name of the CSRF cookie. */
export const CSRF_COOKIE = '__Host-portcullis.csrf';
/** Default name of the refresh cookie (jwt strategy, cookie transport). */
export const REFRESH_COOKIE = '__Secure-portcullis.refresh';

/** The `Set-Cookie` of `name` in a response; `undefined` when none. */
export function cookieOf(res: ContractResponse, name: string): SetCookie | undefined {
  return res.setCookies.find((c) => c.name === name);
}

/** Asserts that a response hands out no session or refresh credential (a refused sign-in). */
export function expectNoCredentials(res: ContractResponse): void {
  for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) {
    expect(cookieOf(res, name)?.value ?? '', `${name} is not set`).toBe('');
  }
  expect(res.text).not.toMatch(/accessToken|refreshToken/);
}

/** Asserts that `res` clears cookie `name` (empty value or not, Max-Age=0 or a past Expires). */
export function expectCleared(res: ContractResponse, name: string, path: string): void {
  const cookie = cookieOf(res, name);
  expect(cookie, `${name} is cleared`).toBeDefined();
  const maxAge = cookie?.attributes.get('max-age');
  const expires = cookie?.attributes.get('expires');
  const past =
    maxAge === '0' || (typeof expires === 'string' && Date.parse(expires) < Date.UTC(2000, 0));
  expect(past, `${name} has Max-Age=0 or an Expires in the past`).toBe(true);
  expect(cookie?.attributes.get('path')).toBe(path);
}
