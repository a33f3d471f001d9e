import { afterEach, describe, expect, it } from 'vitest';
import { isAuthClientError } from '../src/index.js';
import { clientFor, PASSWORD, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the admin API from the client', () => {
  it('lists, shows, changes and unlocks users; FORBIDDEN without the permission', async () => {
    server = await startServer('cookie');
    const { client: adminClient } = clientFor(server, 'cookie');
    const admin = await signUp(server, adminClient, 'root@example.com');
    const adminUser = await server.auth.storage.users.getByEmail('root@example.com');
    await server.auth.storage.users.update(adminUser?.id ?? '', {
      roles: ['admin'],
      updatedAt: server.clock.now(),
    });
    await adminClient.login(admin);
    const { client: plain } = clientFor(server, 'cookie');
    await plain.login(await signUp(server, plain, 'eve@example.com'));
    const denied = await plain.admin.users.list().catch((e: unknown) => e);
    expect(isAuthClientError(denied, 'FORBIDDEN')).toBe(true);
    const page = await adminClient.admin.users.list({ query: 'eve', limit: 10 });
    expect(page.users.map((u) => u.email)).toEqual(['eve@example.com']);
    const eve = page.users[0]?.id ?? '';
    expect((await adminClient.admin.users.get(eve)).user.email).toBe('eve@example.com');
    expect(await adminClient.admin.users.update(eve, { firstName: 'Eve' })).toMatchObject({
      firstName: 'Eve',
    });
    await adminClient.admin.users.unlock(eve);
    await adminClient.admin.users.revokeSessions(eve);
    const gone = await plain.session().catch((e: unknown) => e);
    expect(isAuthClientError(gone, 'UNAUTHENTICATED')).toBe(true);
  });
});

describe('creating users and ending every session from the client', () => {
  it('creates with a password or by invitation; CONFLICT for a taken email', async () => {
    server = await startServer('cookie');
    const { client: adminClient } = clientFor(server, 'cookie');
    const admin = await signUp(server, adminClient, 'root@example.com');
    const adminUser = await server.auth.storage.users.getByEmail('root@example.com');
    await server.auth.storage.users.update(adminUser?.id ?? '', {
      roles: ['admin'],
      updatedAt: server.clock.now(),
    });
    await adminClient.login(admin);
    const grace = await adminClient.admin.users.create({
      email: 'grace@example.com',
      password: PASSWORD,
      emailVerified: true,
      roles: ['admin'],
    });
    expect(grace).toMatchObject({
      email: 'grace@example.com',
      hasPassword: true,
      roles: ['admin'],
    });
    const { client: graceClient } = clientFor(server, 'cookie');
    expect(
      (await graceClient.login({ identifier: 'grace@example.com', password: PASSWORD })).status,
    ).toBe('signed_in');
    const joan = await adminClient.admin.users.create({ email: 'joan@example.com' });
    expect(joan.hasPassword).toBe(false);
    expect(await server.mailer.waitFor('joan@example.com', 'invitation')).toBeDefined();
    const taken = await adminClient.admin.users
      .create({ email: 'GRACE@example.com' })
      .catch((e: unknown) => e);
    expect(isAuthClientError(taken, 'CONFLICT')).toBe(true);
    const moved = await adminClient.admin.users.update(joan.id, {
      email: 'joan@elsewhere.example',
      emailVerified: true,
    });
    expect(moved).toMatchObject({ email: 'joan@elsewhere.example', emailVerified: true });
  });

  it('ends every session, this client’s own too; FORBIDDEN without the permission', async () => {
    server = await startServer('jwt');
    const { client: adminClient } = clientFor(server, 'jwt');
    const admin = await signUp(server, adminClient, 'root@example.com');
    const adminUser = await server.auth.storage.users.getByEmail('root@example.com');
    await server.auth.storage.users.update(adminUser?.id ?? '', {
      roles: ['admin'],
      updatedAt: server.clock.now(),
    });
    await adminClient.login(admin);
    const { client: plain } = clientFor(server, 'jwt');
    await plain.login(await signUp(server, plain, 'eve@example.com'));
    const denied = await plain.admin.sessions.revokeAll().catch((e: unknown) => e);
    expect(isAuthClientError(denied, 'FORBIDDEN')).toBe(true);
    expect(await adminClient.admin.sessions.revokeAll()).toEqual({ sessionsEnded: 2, users: 2 });
    expect(adminClient.isSignedIn()).toBe(false);
    const gone = await plain.session().catch((e: unknown) => e);
    expect(isAuthClientError(gone, 'UNAUTHENTICATED')).toBe(true);
  });
});
