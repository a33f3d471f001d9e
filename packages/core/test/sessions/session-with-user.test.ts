import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/types.js';
import { CTX, fail, PASSWORD, setup } from '../flows/helpers.js';

/** Memory storage that counts the calls validation makes. */
function counted(options: { joined: boolean }) {
  const base = memoryStorage();
  const calls = { joined: 0, sessionsGet: 0, usersGet: 0 };
  const { sessionWithUser, ...rest } = base;
  const storage: Storage = {
    ...rest,
    sessions: {
      ...base.sessions,
      get: (id, now) => {
        calls.sessionsGet += 1;
        return base.sessions.get(id, now);
      },
    },
    users: {
      ...base.users,
      getById: (id) => {
        calls.usersGet += 1;
        return base.users.getById(id);
      },
    },
    ...(options.joined && sessionWithUser
      ? {
          sessionWithUser: (id: string, now: number) => {
            calls.joined += 1;
            return sessionWithUser(id, now);
          },
        }
      : {}),
  };
  return { storage, calls };
}

async function signedIn(options: { joined: boolean }) {
  const { storage, calls } = counted(options);
  const env = await setup({ storage });
  const userId = await env.signUp('ada@example.com');
  const login = await env.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
  if (login.status !== 'signed_in' || login.tokens.strategy !== 'cookie') fail('no session');
  Object.assign(calls, { joined: 0, sessionsGet: 0, usersGet: 0 });
  return { ...env, storage, calls, userId, token: login.tokens.sessionToken };
}

describe('validateSession with and without storage.sessionWithUser', () => {
  it('reads session and user in one call when the storage joins them', async () => {
    const { auth, calls, userId, token } = await signedIn({ joined: true });
    const { user } = await auth.validateSession(token);
    expect(user.id).toBe(userId);
    expect(calls).toEqual({ joined: 1, sessionsGet: 0, usersGet: 0 });
  });

  it('falls back to two lookups without it', async () => {
    const { auth, calls, token } = await signedIn({ joined: false });
    await auth.validateSession(token);
    expect(calls).toEqual({ joined: 0, sessionsGet: 1, usersGet: 1 });
  });

  it('refuses through the joined path: disabled user, deleted user, wrong secret, revoked', async () => {
    for (const attack of ['disabled', 'deleted', 'secret', 'revoked'] as const) {
      const { auth, storage, clock, userId, token } = await signedIn({ joined: true });
      if (attack === 'disabled') {
        await storage.users.update(userId, { disabled: true, updatedAt: clock.now() });
      }
      if (attack === 'deleted') await storage.users.delete(userId);
      if (attack === 'revoked') await storage.sessions.deleteByUser(userId);
      const presented = attack === 'secret' ? `${token.split('.')[0]}.${'A'.repeat(43)}` : token;
      await expect(auth.validateSession(presented), attack).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
  });
});
