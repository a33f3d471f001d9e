import { describe, expect, it } from 'vitest';
import { CTX, PASSWORD, setup } from './helpers.js';

const NEW_PASSWORD = 'saffron meridian lantern';
const THIRD_PASSWORD = 'cobalt harbour whistle';

describe('no secret leaks out of a whole account lifecycle (cookie strategy)', () => {
  it('results, errors, events, audit rows and log lines never hold a password, hash or token', async () => {
    const { auth, mailer, storage, events, logs, clock } = await setup();
    const outputs: unknown[] = [];
    const secrets = new Set<string>([PASSWORD, NEW_PASSWORD, THIRD_PASSWORD]);
    const record = async <T>(p: Promise<T>): Promise<T> => {
      try {
        const value = await p;
        outputs.push(value);
        return value;
      } catch (error) {
        outputs.push(error, (error as { toJSON?: () => unknown }).toJSON?.(), String(error));
        throw error;
      }
    };
    const tokenOf = (kind: Parameters<typeof mailer.find>[1], to: string) => {
      const token =
        mailer.extractToken(mailer.find(to, kind) ?? expect.fail(`no ${kind} mail`)) ?? '';
      secrets.add(token);
      secrets.add(token.split('.')[1] ?? token);
      return token;
    };

    await record(
      auth.register({ email: 'ada@example.com', password: PASSWORD, username: 'ada' }, CTX),
    );
    await record(auth.verifyEmail(tokenOf('verify-email', 'ada@example.com'), CTX));
    await record(auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX)); // existing
    await record(auth.login({ identifier: 'ada', password: 'wrong but long' }, CTX)).catch(
      () => {},
    );
    await record(auth.login({ identifier: 'nobody@example.com', password: PASSWORD }, CTX)).catch(
      () => {},
    );
    const login = await record(
      auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
    );
    if (login.status !== 'signed_in' || login.tokens.strategy !== 'cookie')
      throw new Error('setup');
    const sessionSecret = login.tokens.sessionToken.split('.')[1] ?? '';
    // The token is returned once, to its owner, in the login result: everything else is scanned.
    outputs[outputs.indexOf(login)] = { ...login, tokens: '(returned to the client)' };
    const userId = login.user.id;
    const hash1 = (await storage.users.getById(userId))?.passwordHash ?? '';
    await record(auth.validateSession(login.tokens.sessionToken));
    await record(auth.sessions.list(userId, { currentId: login.session.id }));
    await record(
      auth.passwords.change(
        {
          userId,
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
          sessionId: login.session.id,
        },
        CTX,
      ),
    );
    const hash2 = (await storage.users.getById(userId))?.passwordHash ?? '';
    await record(auth.passwords.requestReset('ada@example.com', CTX));
    await record(
      auth.passwords.reset(
        { token: tokenOf('password-reset', 'ada@example.com'), newPassword: THIRD_PASSWORD },
        CTX,
      ),
    );
    const hash3 = (await storage.users.getById(userId))?.passwordHash ?? '';
    await record(
      auth.users.requestEmailChange(
        { userId, newEmail: 'lovelace@example.com', password: THIRD_PASSWORD },
        CTX,
      ),
    );
    await record(
      auth.users.confirmEmailChange(tokenOf('email-change-confirm', 'lovelace@example.com'), CTX),
    );
    await record(auth.users.update(userId, { firstName: 'Ada', lastName: 'Lovelace' }, CTX));
    const audit = await record(auth.audit.list(userId));
    clock.advance(1000);
    await record(auth.users.delete({ userId, password: THIRD_PASSWORD }, CTX));

    for (const s of [sessionSecret, hash1, hash2, hash3]) secrets.add(s);
    const haystack = JSON.stringify({ outputs, events, audit, logs });
    expect(events.length).toBeGreaterThan(10);
    expect(audit.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(7);
      expect(haystack).not.toContain(secret);
    }
    // The hashes really were argon2id and changed at each step (the scan above is meaningful).
    expect(new Set([hash1, hash2, hash3]).size).toBe(3);
    expect(hash3).toMatch(/^\$argon2id\$/);
  });
});
