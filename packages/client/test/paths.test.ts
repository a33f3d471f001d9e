import { describe, expect, it } from 'vitest';
import { operationPath } from '../src/paths.js';

describe('operationPath: paths from the generated operation table', () => {
  it('gives the path of an operation below the base path', () => {
    expect(operationPath('login')).toBe('/login');
    expect(operationPath('resetPassword')).toBe('/password/reset/confirm');
  });

  it('fills in path parameters, URL-encoded, so an id cannot reach another route', () => {
    expect(operationPath('revokeSession', { id: 'abc_1' })).toBe('/sessions/abc_1');
    expect(operationPath('revokeTrustedDevice', { id: '../user' })).toBe('/2fa/devices/..%2Fuser');
  });

  it('refuses a missing path parameter with a TypeError', () => {
    expect(() => operationPath('revokeSession')).toThrow(TypeError);
    expect(() => operationPath('revokeSession', { sid: 'x' })).toThrow(
      /missing path parameter "id"/,
    );
  });
});
