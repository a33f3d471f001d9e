/**
 * An account without a password (magic links, passkeys, a provider) proves a factor change
 * with a fresh session instead of the password it does not have.
 */
import { describe, expect, it } from 'vitest';
import { CTX, expectCode, MINUTE, setup } from './helpers.js';

async function passwordless() {
  const w = await setup();
  const id = await w.signUp('pat@example.com');
  const { sessionId } = await w.signIn('pat@example.com');
  // The password goes (as after a claim, or for an account made without one).
  await w.auth.storage.users.update(id, { passwordHash: null, updatedAt: w.clock.now() });
  return { ...w, id, sessionId };
}

describe('factor changes of an account without a password', () => {
  it('deletes the account from a fresh session, without a password', async () => {
    const w = await passwordless();
    await w.auth.users.delete({ userId: w.id, sessionId: w.sessionId }, CTX);
    expect(await w.auth.storage.users.getById(w.id)).toBeUndefined();
  });

  it('refuses a stale session (REAUTH_REQUIRED), and a call without a session', async () => {
    const w = await passwordless();
    await expectCode(w.auth.users.delete({ userId: w.id }, CTX), 'REAUTH_REQUIRED');
    w.clock.advance(11 * MINUTE);
    await expectCode(
      w.auth.users.delete({ userId: w.id, sessionId: w.sessionId }, CTX),
      'REAUTH_REQUIRED',
    );
    // A guessed password does not stand in: there is none to match.
    await expectCode(
      w.auth.users.delete(
        { userId: w.id, sessionId: w.sessionId, password: 'any guess at all' },
        CTX,
      ),
      'REAUTH_REQUIRED',
    );
    expect(await w.auth.storage.users.getById(w.id)).toBeDefined();
  });

  it('asks for an email change from a fresh session', async () => {
    const w = await passwordless();
    await w.auth.users.requestEmailChange(
      { userId: w.id, sessionId: w.sessionId, newEmail: 'pat.new@example.com' },
      CTX,
    );
    expect(w.mailer.find('pat.new@example.com', 'email-change-confirm')).toBeDefined();
  });
});
