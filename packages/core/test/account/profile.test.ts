import { describe, expect, it } from 'vitest';
import { CTX, expectCode, ofType, PASSWORD, setup, T0 } from './helpers.js';

const ADA = 'ada@example.com';

describe('users.get', () => {
  it('returns the public user: every key present, nothing else', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA, { firstName: 'Ada' });
    expect(await auth.users.get(id)).toEqual({
      id,
      email: ADA,
      emailVerified: true,
      username: null,
      firstName: 'Ada',
      lastName: null,
      twoFactorEnabled: false,
      roles: [],
      createdAt: new Date(T0).toISOString(),
    });
  });

  it('UNAUTHENTICATED when the user no longer exists (a stale session)', async () => {
    const { auth } = await setup();
    await expectCode(auth.users.get('no-such-user'), 'UNAUTHENTICATED');
    await expectCode(auth.users.get(42 as unknown as string), 'UNAUTHENTICATED');
  });
});

describe('users.update', () => {
  it('updates username and names; user.updated names the fields, never their values', async () => {
    const { auth, events, signUp } = await setup();
    const id = await signUp(ADA);
    const user = await auth.users.update(
      id,
      { username: 'Countess', firstName: '  Ada ', lastName: 'Lovelace' },
      CTX,
    );
    expect(user).toMatchObject({ username: 'Countess', firstName: 'Ada', lastName: 'Lovelace' });
    expect(await auth.users.get(id)).toEqual(user);
    const [event] = ofType(events, 'user.updated');
    expect(event).toMatchObject({
      userId: id,
      data: { fields: ['username', 'firstName', 'lastName'] },
    });
    expect(JSON.stringify(event)).not.toMatch(/Countess|Lovelace/);
    // Sign-in by the new username works, whatever its case.
    expect((await auth.login({ identifier: 'countess', password: PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
  });

  it('null or an empty name clears a field; absent keys keep theirs', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA, { username: 'ada', firstName: 'Ada' });
    await auth.users.update(id, { lastName: 'Lovelace' }, CTX);
    const user = await auth.users.update(id, { username: null, firstName: '' }, CTX);
    expect(user).toMatchObject({ username: null, firstName: null, lastName: 'Lovelace' });
    await expectCode(
      auth.login({ identifier: 'ada', password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
  });

  it('writes nothing and emits nothing when nothing changes', async () => {
    const { auth, events, signUp } = await setup();
    const id = await signUp(ADA, { username: 'ada', firstName: 'Ada' });
    const before = await auth.users.get(id);
    expect(await auth.users.update(id, { username: 'ada', firstName: 'Ada' }, CTX)).toEqual(before);
    expect(await auth.users.update(id, {}, CTX)).toEqual(before);
    expect(ofType(events, 'user.updated')).toEqual([]);
  });

  it("USERNAME_TAKEN when another account has the name in any case; changing the case of one's own is fine", async () => {
    const { auth, signUp } = await setup();
    await signUp('grace@example.com', { username: 'grace' });
    const id = await signUp(ADA, { username: 'ada' });
    const error = await expectCode(
      auth.users.update(id, { username: 'GRACE' }, CTX),
      'USERNAME_TAKEN',
    );
    expect(error).toMatchObject({ status: 409 });
    expect((await auth.users.get(id)).username).toBe('ada');
    expect((await auth.users.update(id, { username: 'ADA' }, CTX)).username).toBe('ADA');
  });

  it('a freed username can be taken by someone else', async () => {
    const { auth, signUp } = await setup();
    const grace = await signUp('grace@example.com', { username: 'grace' });
    const ada = await signUp(ADA);
    await auth.users.update(grace, { username: 'hopper' }, CTX);
    expect((await auth.users.update(ada, { username: 'grace' }, CTX)).username).toBe('grace');
  });

  it('VALIDATION_FAILED for bad usernames and names, naming the field', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA);
    const cases: [Record<string, unknown>, string][] = [
      [{ username: 'ab' }, 'username'],
      [{ username: 'has space' }, 'username'],
      [{ username: 'me@example.com' }, 'username'],
      [{ username: 7 }, 'username'],
      [{ firstName: 'x'.repeat(101) }, 'firstName'],
      [{ lastName: 'bell\u0007' }, 'lastName'],
      [{ lastName: ['Lovelace'] }, 'lastName'],
    ];
    for (const [patch, path] of cases) {
      const error = await expectCode(
        auth.users.update(id, patch as never, CTX),
        'VALIDATION_FAILED',
      );
      expect(error.details?.map((d) => d.path)).toEqual([path]);
    }
    expect((await auth.users.get(id)).username).toBeNull();
  });

  it('UNAUTHENTICATED when the user no longer exists', async () => {
    const { auth } = await setup();
    await expectCode(auth.users.update('gone', { firstName: 'Ada' }, CTX), 'UNAUTHENTICATED');
  });
});
