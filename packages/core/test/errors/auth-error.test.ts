import { describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_MESSAGES,
  AUTH_ERROR_STATUS,
  AuthError,
  type AuthErrorCode,
  isAuthError,
} from '../../src/errors/auth-error.js';
import { errorResponse } from '../../src/http/error-response.js';

// The contract's table (http-api.md): code -> status. Pinned here so a change is deliberate.
const CONTRACT: Record<string, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  WEAK_PASSWORD: 400,
  TOKEN_INVALID: 400,
  TOKEN_EXPIRED: 400,
  CODE_INVALID: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  PASSWORD_INCORRECT: 403,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_DISABLED: 403,
  CSRF_FAILED: 403,
  REAUTH_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  USERNAME_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  STORAGE_UNAVAILABLE: 503,
  CONFLICT: 409,
  OAUTH_FAILED: 400,
  ACCOUNT_LINK_REQUIRED: 409,
  PASSKEY_INVALID: 400,
  FORBIDDEN: 403,
};

describe('AuthError', () => {
  it('gives every contract code the contract status', () => {
    for (const [code, status] of Object.entries(CONTRACT)) {
      expect(new AuthError(code as AuthErrorCode).status).toBe(status);
    }
  });

  it('has a user-safe message for every code, and nothing more than the contract plus config/internal', () => {
    const codes = Object.keys(AUTH_ERROR_STATUS).sort();
    expect(codes).toEqual([...Object.keys(CONTRACT), 'CONFIG_INVALID', 'INTERNAL'].sort());
    expect(Object.keys(AUTH_ERROR_MESSAGES).sort()).toEqual(codes);
  });

  it('keeps the cause out of the serialized body', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const error = new AuthError('STORAGE_UNAVAILABLE', { cause });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(error.toJSON()).toEqual({
      error: { code: 'STORAGE_UNAVAILABLE', message: AUTH_ERROR_MESSAGES.STORAGE_UNAVAILABLE },
    });
  });

  it('carries details for validation failures', () => {
    const error = new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'email', message: 'Invalid email' }],
    });
    expect(error.toJSON().error.details).toEqual([{ path: 'email', message: 'Invalid email' }]);
  });

  it('isAuthError recognises instances and look-alikes from another copy, not plain errors', () => {
    expect(isAuthError(new AuthError('NOT_FOUND'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { name: 'AuthError', code: 'NOT_FOUND' });
    expect(isAuthError(foreign)).toBe(true);
    expect(isAuthError(Object.assign(new Error('x'), { name: 'AuthError', code: 'NOPE' }))).toBe(
      false,
    );
    expect(isAuthError(new Error('x'))).toBe(false);
    expect(isAuthError({ code: 'NOT_FOUND' })).toBe(false);
  });
});

describe('errorResponse', () => {
  it('answers the contract body and status', async () => {
    const res = errorResponse(new AuthError('USERNAME_TAKEN'));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: { code: 'USERNAME_TAKEN', message: AUTH_ERROR_MESSAGES.USERNAME_TAKEN },
    });
  });

  it('sets Retry-After on 429, rounded up to whole seconds', () => {
    const res = errorResponse(new AuthError('RATE_LIMITED', { retryAfterSeconds: 12.2 }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('13');
  });

  it('turns an unknown error into a generic 500 that leaks nothing', async () => {
    const res = errorResponse(
      new TypeError('Cannot read properties of undefined (reading "secretHash")'),
    );
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secretHash');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INTERNAL', message: AUTH_ERROR_MESSAGES.INTERNAL },
    });
  });
});

describe('errorResponse: server-side failures say nothing specific', () => {
  it('replaces the message of a 5xx code and drops its details', async () => {
    const config = new AuthError('CONFIG_INVALID', {
      message: 'Invalid Portcullis configuration: secret: is required',
      details: [{ path: 'secret', message: 'is required' }],
    });
    const res = errorResponse(config);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: 'INTERNAL', message: AUTH_ERROR_MESSAGES.INTERNAL },
    });
  });

  it('keeps STORAGE_UNAVAILABLE but with its generic message', async () => {
    const res = errorResponse(
      new AuthError('STORAGE_UNAVAILABLE', { message: 'redis://10.0.0.5 timed out' }),
    );
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('10.0.0.5');
  });

  it('sends details only for VALIDATION_FAILED and WEAK_PASSWORD', async () => {
    const weak = errorResponse(
      new AuthError('WEAK_PASSWORD', { details: [{ path: 'password', message: 'too short' }] }),
    );
    expect((await weak.json()).error.details).toHaveLength(1);
    const other = errorResponse(
      new AuthError('TOKEN_INVALID', { details: [{ path: 'x', message: 'y' }] }),
    );
    expect((await other.json()).error.details).toBeUndefined();
  });
});
