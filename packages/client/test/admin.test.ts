import { afterEach, describe, expect, it } from 'vitest';
import { isAuthClientError } from '../src/index.js';
import { clientFor, signUp, startServer, type TestServer } from './helpers.js';

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
