import { describe, expect, it } from 'vitest';
import { CTX, codeOf, fail, PASSWORD, setup2fa } from './helpers.js';

/** A user with 2FA on who signed in with "remember this device". */
async function remembered() {
  const s = await setup2fa();
  const user = await s.enabledUser();
  const { challenge: token } = await s.challenge();
  const result = await s.auth.verifySecondFactor(
    { challenge: token, method: 'totp', code: await s.code(user.secret), rememberDevice: true },
    CTX,
  );
  const device = result.trustedDevice ?? fail('no device token');
  const login = (trustedDevice: string = device.token, identifier = user.email) =>
    s.auth.login({ identifier, password: PASSWORD }, { ...CTX, trustedDevice });
  return { ...s, ...user, device, result, login };
}

describe('trusted devices', () => {
  it('rememberDevice returns an {id}.{secret} token for 30 days; only its hash is stored', async () => {
    const { device, clock, writes, events, userId } = await remembered();
    expect(device.token).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
    expect(device.expiresAt).toBe(clock.now() + 30 * 24 * 3600_000);
    expect(writes.join('\n')).not.toContain(device.token.split('.')[1]);
    expect(events.at(-1)).toMatchObject({
      type: 'trusted_device.added',
      userId,
      data: { deviceId: device.token.split('.')[0] },
    });
  });

  it('a trusted device skips the second factor: amr [pwd, device]', async () => {
    const { login, events, userId } = await remembered();
    const result = await login();
    if (result.status !== 'signed_in') fail('expected a session');
    expect(result.session.amr).toEqual(['pwd', 'device']);
    expect(
      events.find((e) => e.type === '2fa.succeeded' && e.data?.method === 'trusted_device'),
    ).toMatchObject({
      userId,
    });
  });

  it('is listed (current marked, user agent, times) and touched on use', async () => {
    const { auth, login, device, userId, clock } = await remembered();
    const id = device.token.split('.')[0] ?? '';
    clock.advance(60_000);
    await login();
    const list = await auth.twoFactor.devices.list(userId, { currentDeviceId: id });
    expect(list).toEqual([
      {
        id,
        createdAt: new Date(clock.now() - 60_000).toISOString(),
        lastUsedAt: new Date(clock.now()).toISOString(),
        expiresAt: new Date(device.expiresAt).toISOString(),
        userAgent: CTX.userAgent,
        current: true,
      },
    ]);
    expect((await auth.twoFactor.devices.list(userId))[0]?.current).toBe(false);
  });

  it('a forged, tampered or another user’s device token does not skip the second factor', async () => {
    const { login, device, enabledUser } = await remembered();
    const [id = '', secret = ''] = device.token.split('.');
    const flipped = secret.startsWith('A') ? `B${secret.slice(1)}` : `A${secret.slice(1)}`;
    for (const token of ['junk', `${id}.${flipped}`]) {
      expect((await login(token)).status).toBe('two_factor_required');
    }
    await enabledUser('bob@example.com');
    expect((await login(device.token, 'bob@example.com')).status).toBe('two_factor_required');
  });

  it('expires after 30 days', async () => {
    const { login, clock, auth, userId } = await remembered();
    clock.advance(30 * 24 * 3600_000 - 1000);
    expect((await login()).status).toBe('signed_in');
    clock.advance(1000);
    expect((await login()).status).toBe('two_factor_required');
    expect(await auth.twoFactor.devices.list(userId)).toEqual([]);
  });

  it('revoke removes it; another user’s or an unknown id is NOT_FOUND', async () => {
    const { auth, login, device, userId, enabledUser, events } = await remembered();
    const id = device.token.split('.')[0] ?? '';
    const bob = await enabledUser('bob@example.com');
    expect(await codeOf(auth.twoFactor.devices.revoke(bob.userId, id))).toBe('NOT_FOUND');
    expect(await codeOf(auth.twoFactor.devices.revoke(userId, 'A'.repeat(22)))).toBe('NOT_FOUND');
    expect((await login()).status).toBe('signed_in');
    await auth.twoFactor.devices.revoke(userId, id, CTX);
    expect(events.at(-1)).toMatchObject({ type: 'trusted_device.revoked', data: { deviceId: id } });
    expect((await login()).status).toBe('two_factor_required');
    expect(await auth.twoFactor.devices.list(userId)).toEqual([]);
    expect(await codeOf(auth.twoFactor.devices.revoke(userId, id))).toBe('NOT_FOUND');
  });

  it('a password change clears trusted devices', async () => {
    const { auth, userId, device, result: signedIn } = await remembered();
    await auth.passwords.change({
      userId,
      currentPassword: PASSWORD,
      newPassword: 'saffron meridian lantern',
      sessionId: signedIn.session.id,
    });
    const result = await auth.login(
      { identifier: 'ada@example.com', password: 'saffron meridian lantern' },
      { trustedDevice: device.token },
    );
    expect(result.status).toBe('two_factor_required');
    expect(await auth.twoFactor.devices.list(userId)).toEqual([]);
  });

  it('a password reset clears trusted devices', async () => {
    const { auth, userId, mailer, device } = await remembered();
    await auth.passwords.requestReset('ada@example.com');
    const token = mailer.extractToken(
      mailer.find('ada@example.com', 'password-reset') ?? fail('no mail'),
    );
    await auth.passwords.reset({ token: token ?? '', newPassword: 'saffron meridian lantern' });
    const result = await auth.login(
      { identifier: 'ada@example.com', password: 'saffron meridian lantern' },
      { trustedDevice: device.token },
    );
    expect(result.status).toBe('two_factor_required');
    expect(await auth.twoFactor.devices.list(userId)).toEqual([]);
  });

  it('turning 2FA off clears trusted devices, so turning it on again asks for a code', async () => {
    const { auth, userId, device, recoveryCodes, enable } = await remembered();
    await auth.twoFactor.disable({ userId, password: PASSWORD, code: recoveryCodes[0] ?? '' });
    expect(await auth.twoFactor.devices.list(userId)).toEqual([]);
    await enable(userId);
    const result = await auth.login(
      { identifier: 'ada@example.com', password: PASSWORD },
      { trustedDevice: device.token },
    );
    expect(result.status).toBe('two_factor_required');
  });
});
