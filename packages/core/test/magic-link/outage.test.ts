import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/index.js';
import { ADA, CTX, expectCode, setupMagic } from './helpers.js';

/** Memory storage whose `sessions.create` fails (like a dropped connection) while `down.on`. */
function flakySessions() {
  const inner = memoryStorage();
  const down = { on: false };
  const sessions = new Proxy(inner.sessions, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key !== 'create' || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        down.on
          ? Promise.reject(new Error('connection reset (simulated)'))
          : Reflect.apply(value, target, args);
    },
  });
  return { storage: { ...inner, sessions }, down };
}

describe('a store outage during the sign-in (issue 16)', () => {
  it('the link is put back: the retry signs in', async () => {
    const { storage, down } = flakySessions();
    const s = await setupMagic({ storage });
    await s.signUp(ADA);
    const { token } = await s.requested();
    down.on = true;
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'STORAGE_UNAVAILABLE');
    down.on = false;
    expect((await s.auth.magicLink.verify({ token }, CTX)).status).toBe('signed_in');
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });

  it('the code and its link are put back: the retry with the code signs in', async () => {
    const { storage, down } = flakySessions();
    const s = await setupMagic({ storage });
    await s.signUp(ADA);
    const { code } = await s.requested();
    down.on = true;
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'STORAGE_UNAVAILABLE');
    down.on = false;
    expect((await s.auth.magicLink.verify({ email: ADA, code }, CTX)).status).toBe('signed_in');
  });

  it('a refusal is not put back: a disabled account’s link stays used', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { token } = await s.requested();
    await s.auth.storage.users.update(userId, { disabled: true, updatedAt: s.clock.now() });
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'ACCOUNT_DISABLED');
    await s.auth.storage.users.update(userId, { disabled: false, updatedAt: s.clock.now() });
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });
});
