import { describe, expect, it } from 'vitest';
import { APP_URL, CTX, expectCode, NEW_PASSWORD, ofType, setup } from '../account/helpers.js';

const ADA = 'ada@example.com';

describe('passwords.requestReset', () => {
  it('mails a reset link to the account and returns no token', async () => {
    const { auth, mailer, events, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    const result = await auth.passwords.requestReset(ADA, CTX);
    expect(result).toEqual({ status: 'reset_sent' });
    const mail = mailer.find(ADA, 'password-reset');
    expect(mailer.extractLink(mail ?? expect.fail('no mail'))).toMatch(
      new RegExp(`^${APP_URL}/reset-password\\?token=`),
    );
    const token = tokenFrom(ADA, 'password-reset');
    expect(JSON.stringify(result)).not.toContain(token);
    const [event] = ofType(events, 'password.reset_requested');
    expect(event).toMatchObject({ userId: id, ip: CTX.ip, userAgent: CTX.userAgent });
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('finds the account whatever the case and spacing of the address', async () => {
    const { auth, mailer, signUp } = await setup();
    await signUp(ADA);
    await auth.passwords.requestReset('  ADA@Example.COM ', CTX);
    expect(mailer.find(ADA, 'password-reset')).toBeDefined();
  });

  it('enumeration: known, unknown, malformed and disabled addresses get the same answer; only the known one gets mail', async () => {
    const { auth, mailer, events, signUp } = await setup();
    await signUp(ADA);
    const disabled = await signUp('grace@example.com');
    await auth.storage.users.update(disabled, { disabled: true, updatedAt: 0 });
    mailer.clear();
    const known = await auth.passwords.requestReset(ADA, CTX);
    const unknown = await auth.passwords.requestReset('nobody@example.com', CTX);
    const malformed = await auth.passwords.requestReset('not an address', CTX);
    const off = await auth.passwords.requestReset('grace@example.com', CTX);
    expect(unknown).toEqual(known);
    expect(malformed).toEqual(known);
    expect(off).toEqual(known);
    expect(JSON.stringify(unknown)).toBe(JSON.stringify(known));
    expect(mailer.messages.map((m) => [m.to, m.kind])).toEqual([[ADA, 'password-reset']]);
    // Listeners hear of unknown addresses, without a user id (and so without an audit row).
    const requested = ofType(events, 'password.reset_requested');
    expect(requested).toHaveLength(4);
    expect(requested.filter((e) => e.userId === undefined)).toHaveLength(2);
  });

  it('a new request makes the previous link stop working', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const first = tokenFrom(ADA, 'password-reset');
    await auth.passwords.requestReset(ADA, CTX);
    const second = tokenFrom(ADA, 'password-reset');
    await expectCode(
      auth.passwords.reset({ token: first, newPassword: NEW_PASSWORD }, CTX),
      'TOKEN_INVALID',
    );
    expect(await auth.passwords.reset({ token: second, newPassword: NEW_PASSWORD }, CTX)).toEqual({
      status: 'password_reset',
    });
  });

  it('VALIDATION_FAILED for a non-string, empty or absurdly long address', async () => {
    const { auth } = await setup();
    for (const email of [42, null, '', `${'a'.repeat(300)}@example.com`]) {
      const error = await expectCode(
        auth.passwords.requestReset(email as string, CTX),
        'VALIDATION_FAILED',
      );
      expect(error.details?.[0]?.path).toBe('email');
    }
  });

  it('a failed send still answers reset_sent and emits mail.failed without the token', async () => {
    const { auth, mailer, events, logs, signUp } = await setup();
    await signUp(ADA);
    mailer.failNext();
    expect(await auth.passwords.requestReset(ADA, CTX)).toEqual({ status: 'reset_sent' });
    expect(ofType(events, 'mail.failed')).toHaveLength(1);
    expect(logs.join('\n')).not.toMatch(/token=/);
  });
});
