import { describe, expect, it } from 'vitest';
import { CTX, expectCode, NEW_PASSWORD, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';

describe('audit.list', () => {
  it("lists the user's own security events newest first, with ip and user agent", async () => {
    const { auth, signUp, signIn } = await setup();
    const other = await signUp('grace@example.com');
    const id = await signUp(ADA);
    await signIn(ADA);
    await auth.passwords.change(
      { userId: id, currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      CTX,
    );
    const events = await auth.audit.list(id);
    expect(events[0]?.type).toBe('password.changed');
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['login.succeeded', 'session.revoked_all']),
    );
    expect(
      events.every((e) => e.userId === id && e.ip === CTX.ip && e.userAgent === CTX.userAgent),
    ).toBe(true);
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    expect((await auth.audit.list(other)).every((e) => e.userId === other)).toBe(true);
  });

  it('pages: 50 by default, at most 200, beforeSequence exclusive', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA);
    for (let i = 0; i < 230; i++) {
      await auth.storage.audit.append({ userId: id, type: 'login.failed', createdAt: i });
    }
    const total = (await auth.storage.audit.list(id, { limit: 1000 })).length;
    expect(await auth.audit.list(id)).toHaveLength(50);
    const first = await auth.audit.list(id, { limit: 200 });
    expect(first).toHaveLength(200);
    const last = first.at(-1)?.sequence ?? expect.fail('no events');
    const rest = await auth.audit.list(id, { limit: 200, beforeSequence: last });
    expect(rest).toHaveLength(total - 200);
    expect(rest.every((e) => e.sequence < last)).toBe(true);
  });

  it('VALIDATION_FAILED for a limit outside 1..200 or a bad beforeSequence', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA);
    const cases: [Record<string, unknown>, string][] = [
      [{ limit: 0 }, 'limit'],
      [{ limit: 201 }, 'limit'],
      [{ limit: 1.5 }, 'limit'],
      [{ limit: '10' }, 'limit'],
      [{ beforeSequence: -1 }, 'beforeSequence'],
      [{ beforeSequence: Number.NaN }, 'beforeSequence'],
    ];
    for (const [options, path] of cases) {
      const error = await expectCode(auth.audit.list(id, options as never), 'VALIDATION_FAILED');
      expect(error.details?.map((d) => d.path)).toEqual([path]);
    }
  });

  it('an unknown user has no events', async () => {
    const { auth } = await setup();
    expect(await auth.audit.list('nobody')).toEqual([]);
  });
});
