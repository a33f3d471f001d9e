import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/index.js';
import { CTX, expectCode, NEW_PASSWORD, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';

/**
 * Memory storage with a `transaction` that records which store methods ran inside it, and can
 * fail on one of them (a crash halfway; memory storage cannot roll back, so only the order of
 * the steps and the error's path are observable).
 */
function transactional(failOn?: string) {
  const base = memoryStorage();
  const inside: string[] = [];
  const record = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, method, receiver) {
        const fn: unknown = Reflect.get(target, method, receiver);
        if (typeof fn !== 'function') return fn;
        return (...args: unknown[]) => {
          const step = `${name}.${String(method)}`;
          inside.push(step);
          if (step === failOn) throw new Error('simulated crash');
          return Reflect.apply(fn, target, args);
        };
      },
    });
  const tx: Storage = {
    users: record('users', base.users),
    accounts: record('accounts', base.accounts),
    passkeys: record('passkeys', base.passkeys),
    sessions: record('sessions', base.sessions),
    tokens: record('tokens', base.tokens),
    twoFactor: record('twoFactor', base.twoFactor),
    rateLimits: base.rateLimits,
    audit: record('audit', base.audit),
  };
  const storage: Storage = { ...base, transaction: async (fn) => fn(tx) };
  return { storage, inside };
}

describe('multi-step flows use storage.transaction when it exists', () => {
  it('reset: consume, revoke, then write the hash, all inside the transaction', async () => {
    const { storage, inside } = transactional();
    const { auth, signUp, tokenFrom } = await setup({ storage });
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    await auth.passwords.reset(
      { token: tokenFrom(ADA, 'password-reset'), newPassword: NEW_PASSWORD },
      CTX,
    );
    // The token, every revocation (sessions, devices, reset and email-change links, pending
    // sign-ins with their codes), then the hash with a new credential generation.
    expect(inside).toEqual([
      'tokens.consume',
      'sessions.deleteByUser',
      'twoFactor.deleteAllTrustedDevices',
      'tokens.deleteByUser',
      'tokens.deleteByUser',
      'tokens.deleteByUser',
      'tokens.deleteByUser',
      'tokens.deleteByUser',
      'tokens.deleteByUser',
      'tokens.deleteByUser',
      'users.update',
    ]);
  });

  it('reset: a crash before the hash is written keeps the old password and surfaces STORAGE_UNAVAILABLE', async () => {
    const { storage } = transactional('users.update');
    const { auth, signUp, signIn, tokenFrom } = await setup({ storage });
    await signUp(ADA);
    const session = await signIn(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const token = tokenFrom(ADA, 'password-reset');
    await expectCode(
      auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX),
      'STORAGE_UNAVAILABLE',
    );
    // Without rollback, the safe order still leaves no open door: no sessions, old password.
    await expectCode(auth.validateSession(session.sessionToken), 'UNAUTHENTICATED');
    expect((await auth.login({ identifier: ADA, password: PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
  });

  it('delete: every store, the user row last, inside the transaction', async () => {
    const { storage, inside } = transactional();
    const { auth, signUp } = await setup({ storage });
    const id = await signUp(ADA);
    await auth.users.delete({ userId: id, password: PASSWORD }, CTX);
    expect(inside).toEqual([
      'sessions.deleteByUser',
      'tokens.deleteByUser',
      'twoFactor.deleteByUser',
      'audit.deleteByUser',
      'accounts.deleteByUser',
      'passkeys.deleteByUser',
      'users.delete',
    ]);
  });
});
