import { describe, expect, it } from 'vitest';
import { APP_URL, CTX, expectCode, ofType, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';
const NEW = 'ada.lovelace@example.org';

describe('users.requestEmailChange', () => {
  it('mails a link to the new address and a notice to the old; the address does not change yet', async () => {
    const { auth, mailer, events, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    mailer.clear();
    const result = await auth.users.requestEmailChange(
      { userId: id, newEmail: ` ${NEW} `, password: PASSWORD },
      CTX,
    );
    expect(result).toEqual({ status: 'confirmation_sent' });
    expect((await auth.users.get(id)).email).toBe(ADA);
    expect(mailer.messages.map((m) => [m.to, m.kind])).toEqual([
      [NEW, 'email-change-confirm'],
      [ADA, 'email-change-notice'],
    ]);
    expect(
      mailer.extractLink(mailer.find(NEW, 'email-change-confirm') ?? expect.fail('no mail')),
    ).toMatch(new RegExp(`^${APP_URL}/confirm-email\\?token=`));
    expect(mailer.find(ADA, 'email-change-notice')?.text).toContain(NEW);
    const token = tokenFrom(NEW, 'email-change-confirm');
    expect(JSON.stringify([result, events])).not.toContain(token);
    expect(ofType(events, 'email.change_requested')).toMatchObject([{ userId: id, ip: CTX.ip }]);
  });

  it('enumeration: an address that has an account gets the same answer and the same mail to the requester, and no link', async () => {
    const { auth, mailer, signUp } = await setup();
    await signUp('grace@example.com');
    const id = await signUp(ADA);
    mailer.clear();
    const free = await auth.users.requestEmailChange(
      { userId: id, newEmail: NEW, password: PASSWORD },
      CTX,
    );
    const freeMails = mailer.messages.map((m) => [m.to, m.kind]);
    mailer.clear();
    const taken = await auth.users.requestEmailChange(
      { userId: id, newEmail: 'GRACE@example.com', password: PASSWORD },
      CTX,
    );
    expect(taken).toEqual(free);
    expect(JSON.stringify(taken)).toBe(JSON.stringify(free));
    const takenMails = mailer.messages.map((m) => [m.to, m.kind]);
    // What reaches the requester's own inbox is the same; the other account gets nothing.
    expect(takenMails).toEqual(freeMails.filter(([to]) => to === ADA));
    expect(takenMails).toEqual([[ADA, 'email-change-notice']]);
  });

  it('PASSWORD_INCORRECT for a wrong password; no mail', async () => {
    const { auth, mailer, signUp } = await setup();
    const id = await signUp(ADA);
    mailer.clear();
    const error = await expectCode(
      auth.users.requestEmailChange(
        { userId: id, newEmail: NEW, password: 'not the password' },
        CTX,
      ),
      'PASSWORD_INCORRECT',
    );
    expect(error).toMatchObject({ status: 403 });
    expect(mailer.messages).toEqual([]);
  });

  it('VALIDATION_FAILED for a malformed address, the current address, or missing fields', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA);
    for (const newEmail of ['not-an-address', 'a@b', '', 'ADA@Example.com']) {
      const error = await expectCode(
        auth.users.requestEmailChange({ userId: id, newEmail, password: PASSWORD }, CTX),
        'VALIDATION_FAILED',
      );
      expect(error.details?.map((d) => d.path)).toEqual(['newEmail']);
    }
    await expectCode(
      auth.users.requestEmailChange({ userId: id, newEmail: NEW } as never, CTX),
      'VALIDATION_FAILED',
    );
  });

  it('UNAUTHENTICATED when the user no longer exists', async () => {
    const { auth } = await setup();
    await expectCode(
      auth.users.requestEmailChange({ userId: 'gone', newEmail: NEW, password: PASSWORD }, CTX),
      'UNAUTHENTICATED',
    );
  });
});
