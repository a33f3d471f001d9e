import { describe, expect, it } from 'vitest';
import { CTX, NEW_PASSWORD, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';
const NEW = 'ada@example.org';
const THIRD = 'third password phrase';

describe('account lifecycle leak scan', () => {
  it('no result, error, event, audit row or log line of a whole scenario holds a password, hash or token', async () => {
    const env = await setup();
    const { auth, events, logs, mailer, signUp, signIn, tokenFrom, rememberHash, secrets } = env;
    secrets.add(THIRD);
    const results: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => results.push(await p.catch((e: unknown) => e));

    const id = await signUp(ADA, { username: 'ada' });
    const current = await signIn(ADA);
    await signIn(ADA, PASSWORD, { ip: '198.51.100.2', userAgent: 'other' });
    await attempt(auth.users.get(id));
    await attempt(auth.users.update(id, { firstName: 'Ada', username: 'countess' }, CTX));

    await attempt(auth.passwords.requestReset(ADA, CTX));
    await attempt(auth.passwords.requestReset('nobody@example.com', CTX));
    const reset = tokenFrom(ADA, 'password-reset');
    await attempt(auth.passwords.reset({ token: reset, newPassword: 'short' }, CTX));
    await attempt(auth.passwords.reset({ token: reset, newPassword: NEW_PASSWORD }, CTX));
    await attempt(auth.passwords.reset({ token: reset, newPassword: NEW_PASSWORD }, CTX));
    await rememberHash(id);

    const again = await signIn(ADA, NEW_PASSWORD);
    await attempt(
      auth.passwords.change({ userId: id, currentPassword: PASSWORD, newPassword: THIRD }, CTX),
    );
    await attempt(
      auth.passwords.change(
        {
          userId: id,
          currentPassword: NEW_PASSWORD,
          newPassword: THIRD,
          sessionId: again.sessionId,
        },
        CTX,
      ),
    );
    await rememberHash(id);

    await attempt(
      auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX),
    );
    await attempt(
      auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: THIRD }, CTX),
    );
    const change = tokenFrom(NEW, 'email-change-confirm');
    await attempt(auth.users.confirmEmailChange(change, CTX));
    await attempt(auth.users.confirmEmailChange(change, CTX));
    await attempt(auth.validateSession(current.sessionToken));
    await attempt(auth.sessions.list(id, { currentId: again.sessionId }));
    await attempt(auth.audit.list(id, { limit: 200 }));
    await attempt(auth.users.delete({ userId: id, password: NEW_PASSWORD }, CTX));
    await attempt(auth.users.delete({ userId: id, password: THIRD }, CTX));

    expect(results.length).toBeGreaterThan(15);
    expect(mailer.messages.length).toBeGreaterThan(5);
    env.assertNoSecrets([...results, ...events, ...logs]);
  });
});
