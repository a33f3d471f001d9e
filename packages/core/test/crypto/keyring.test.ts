import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';
import { AuthError } from '../../src/errors/auth-error.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('Keyring', () => {
  it('encrypts with AES-256-GCM and decrypts what it made', async () => {
    const keys = new Keyring([A]);
    const sealed = await keys.encrypt('totp-secret', 'JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^pc1\.[\w-]+\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(await keys.decrypt('totp-secret', sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh IV each time (same plaintext, different ciphertexts)', async () => {
    const keys = new Keyring([A]);
    expect(await keys.encrypt('p', 'x')).not.toBe(await keys.encrypt('p', 'x'));
  });

  it('still decrypts data made under a previous secret after rotation', async () => {
    const old = await new Keyring([A]).encrypt('totp-secret', 'secret-data');
    const rotated = new Keyring([B, A]);
    expect(rotated.needsReencrypt(old)).toBe(true);
    expect(await rotated.decrypt('totp-secret', old)).toBe('secret-data');
    const fresh = await rotated.encrypt('totp-secret', 'secret-data');
    expect(rotated.needsReencrypt(fresh)).toBe(false);
  });

  it('refuses data once its secret is no longer configured', async () => {
    const old = await new Keyring([A]).encrypt('totp-secret', 'secret-data');
    await expect(new Keyring([B]).decrypt('totp-secret', old)).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });

  it('refuses a ciphertext moved to another purpose (purpose is bound as additional data)', async () => {
    const keys = new Keyring([A]);
    const sealed = await keys.encrypt('totp-secret', 'x');
    await expect(keys.decrypt('otp-hmac', sealed)).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses a tampered ciphertext', async () => {
    const keys = new Keyring([A]);
    const sealed = await keys.encrypt('p', 'hello world');
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    await expect(keys.decrypt('p', tampered)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it.each(['', 'pc1', 'pc1.x.y.z', 'pc2.a.b.c', 'pc1.a.b.c.d'])(
    'refuses malformed input %j',
    async (input) => {
      await expect(new Keyring([A]).decrypt('p', input)).rejects.toMatchObject({
        code: 'INTERNAL',
      });
    },
  );

  it('derives a different key per purpose and per secret, stable for the same inputs', () => {
    const keys = new Keyring([A, B]);
    const k1 = keys.deriveKey('jwt-hs256');
    expect(k1).toHaveLength(32);
    expect(k1).toEqual(new Keyring([A]).deriveKey('jwt-hs256'));
    expect(k1).not.toEqual(keys.deriveKey('csrf'));
    expect(k1).not.toEqual(keys.deriveKey('jwt-hs256', keys.keyIds[1]));
    expect(keys.deriveAllKeys('csrf').map((k) => k.keyId)).toEqual(keys.keyIds);
  });

  it('key ids do not reveal the secret', () => {
    const keys = new Keyring([A]);
    expect(keys.currentKeyId).not.toContain('aaaa');
    expect(keys.currentKeyId).toHaveLength(8);
  });
});
