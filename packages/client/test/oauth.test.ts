import { github } from '@portcullis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, signUp, startServer, type TestServer } from './helpers.js';

// A GitHub-shaped provider whose endpoints are never called here: starting an authorization
// needs no request to the provider (OAuth 2 endpoints are configured, not discovered).
const provider = github({
  clientId: 'client-id',
  clientSecret: 'client-secret',
  endpoints: {
    authorization: 'https://github.example/login/oauth/authorize',
    token: 'https://github.example/login/oauth/access_token',
    api: 'https://api.github.example',
  },
});

let server: TestServer;
beforeEach(async () => {
  server = await startServer('cookie', { oauth: { providers: [provider] } });
});
afterEach(async () => {
  await server.close();
});

describe('social sign-in from the client', () => {
  it('signInWith builds the authorize URL (and navigates unless told not to)', async () => {
    const { client } = clientFor(server, 'cookie');
    const url = client.signInWith('github', { redirectTo: '/notes?tab=1', navigate: false });
    expect(url).toBe(`${server.baseUrl}/oauth/github/authorize?redirectTo=%2Fnotes%3Ftab%3D1`);
    // The route answers it with a redirect to the provider.
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(
      /^https:\/\/github\.example\/login\/oauth\/authorize\?client_id=client-id&/,
    );
    const assigned: string[] = [];
    const g = globalThis as { location?: unknown };
    const saved = g.location;
    g.location = { assign: (u: string) => assigned.push(u) };
    try {
      expect(client.signInWith('github')).toBe(`${server.baseUrl}/oauth/github/authorize`);
      expect(assigned).toEqual([`${server.baseUrl}/oauth/github/authorize`]);
    } finally {
      g.location = saved;
    }
  });

  it('linkAccount, linkedAccounts and unlink', async () => {
    const { client } = clientFor(server, 'cookie');
    await client.login(await signUp(server, client, 'ada@example.com'));
    const url = await client.linkAccount('github', { redirectTo: '/settings', navigate: false });
    expect(new URL(url).origin).toBe('https://github.example');
    expect(await client.linkedAccounts()).toEqual([]);
    const { user } = await client.session();
    const now = server.clock.now();
    await server.auth.storage.accounts.create({
      id: 'acc-1',
      userId: user.id,
      provider: 'github',
      subject: '12345',
      email: 'ada@github.example',
      createdAt: now,
      lastUsedAt: now,
    });
    expect(await client.linkedAccounts()).toEqual([
      {
        id: 'acc-1',
        provider: 'github',
        email: 'ada@github.example',
        createdAt: now,
        lastUsedAt: now,
      },
    ]);
    await client.unlink('acc-1');
    expect(await client.linkedAccounts()).toEqual([]);
    await expect(client.unlink('acc-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('linkAccount on a session that is not fresh is REAUTH_REQUIRED', async () => {
    const { client } = clientFor(server, 'cookie');
    await client.login(await signUp(server, client, 'bob@example.com'));
    server.clock.advance(11 * 60_000);
    await expect(client.linkAccount('github', { navigate: false })).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
    });
    await expect(
      client.linkAccount('github', { navigate: false, password: 'violet tangerine orbit' }),
    ).resolves.toMatch(/^https:\/\/github\.example\//);
  });
});
