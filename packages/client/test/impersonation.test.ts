import { afterEach, describe, expect, it } from 'vitest';
import { type AuthClient, isAuthClientError } from '../src/index.js';
import { clientFor, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An admin signed in on `client`, and Eve (a plain user, signed up); resolves to Eve's id. */
async function adminAndEve(s: TestServer, client: AuthClient): Promise<string> {
  const admin = await signUp(s, client, 'root@example.com');
  const adminUser = await s.auth.storage.users.getByEmail('root@example.com');
  await s.auth.storage.users.update(adminUser?.id ?? '', {
    roles: ['admin'],
    updatedAt: s.clock.now(),
  });
  await signUp(s, client, 'eve@example.com');
  await client.login(admin);
  return (await s.auth.storage.users.getByEmail('eve@example.com'))?.id ?? '';
}

describe('impersonation from the client', () => {
  it('cookie strategy: becomes the user, is refused /admin, and comes back at stop', async () => {
    server = await startServer('cookie');
    const { client } = clientFor(server, 'cookie');
    const eve = await adminAndEve(server, client);
    const seen: (string | null)[] = [];
    client.onSessionChange((state) => seen.push(state.user?.email ?? null));
    const started = await client.admin.users.impersonate(eve);
    expect(started.user.email).toBe('eve@example.com');
    const during = await client.session();
    expect(during.user.email).toBe('eve@example.com');
    expect(during.session.impersonatedBy).toEqual(expect.any(String));
    const refused = await client.admin.users.list().catch((e: unknown) => e);
    expect(isAuthClientError(refused, 'FORBIDDEN')).toBe(true);
    // Unsafe requests work with the impersonation's own CSRF token.
    await client.admin.impersonation.stop();
    const after = await client.session();
    expect(after.user.email).toBe('root@example.com');
    expect(after.session.impersonatedBy).toBeNull();
    expect(seen).toContain('eve@example.com');
    expect(seen.at(-1)).toBe('root@example.com');
    expect((await client.admin.users.list()).users.length).toBeGreaterThan(0);
  });

  it('cookie strategy: signed out at stop when the admin’s own session ended meanwhile', async () => {
    server = await startServer('cookie');
    const { client } = clientFor(server, 'cookie');
    const eve = await adminAndEve(server, client);
    const adminId = (await client.session()).user.id;
    await client.admin.users.impersonate(eve);
    await server.auth.sessions.revokeAll(adminId, { password: 'violet tangerine orbit' });
    await client.admin.impersonation.stop();
    expect(client.isSignedIn()).toBe(false);
  });

  it('jwt strategy: returns the impersonation’s tokens, stays the admin, and stops with them', async () => {
    server = await startServer('jwt');
    const { client } = clientFor(server, 'jwt');
    const eve = await adminAndEve(server, client);
    const started = await client.admin.users.impersonate(eve);
    expect(started).toMatchObject({
      user: { email: 'eve@example.com' },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    expect((await client.session()).user.email).toBe('root@example.com');
    const asEve = await server.auth.validateAccessToken(started.accessToken ?? '');
    expect(asEve.session.impersonatedBy).toBe((await client.session()).user.id);
    await expect(client.admin.impersonation.stop()).rejects.toThrow(TypeError);
    await client.admin.impersonation.stop({ accessToken: started.accessToken ?? '' });
    const gone = await server.auth
      .validateAccessToken(started.accessToken ?? '')
      .catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: 'UNAUTHENTICATED' });
    // The admin's own session never left.
    expect((await client.admin.users.list()).users.length).toBeGreaterThan(0);
  });
});
