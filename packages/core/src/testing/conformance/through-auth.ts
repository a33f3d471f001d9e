import { expect } from 'vitest';
import { createAuth } from '../../create-auth.js';
import { sha256Base64Url } from '../../crypto/hash.js';
import { randomToken } from '../../crypto/tokens.js';
import { silentLogger } from '../../logging/logger.js';
import { memoryMailer } from '../../mail/memory.js';
import { createPasswordHasher, type PasswordHasher } from '../../password/hasher.js';
import { type AddCheck, uid } from './fixtures.js';

const PASSWORD = 'conformance violet tangerine';
const NEW_PASSWORD = 'conformance copper lantern';

/** A cheap real argon2id hasher, shared by the checks (cost is not what they test). */
let hasher: Promise<PasswordHasher> | undefined;
const cheapHasher = () => {
  hasher ??= createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
  return hasher;
};

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );

/**
 * Registers the checks that run core itself (`createAuth`) over the storage under test: a
 * session of another credential generation is never accepted as live, whatever path the
 * storage serves it by (two lookups, a join, a cache). Needs every store.
 */
export function throughAuthChecks(check: AddCheck): void {
  check(
    'through Auth: after a password change, no session of the old credential generation is accepted',
    async (ctx) => {
      const auth = createAuth({
        storage: ctx.storage(),
        mailer: memoryMailer(),
        appUrl: 'https://conformance.example',
        secret: 'conformance-kit-secret-0123456789abcdef',
        logger: silentLogger,
        emailVerification: { required: false },
        password: { hasher: await cheapHasher() },
      });
      const email = `${uid('auth')}@example.test`.toLowerCase();
      await auth.register({ email, password: PASSWORD });
      const signIn = async () => {
        const result = await auth.login({ identifier: email, password: PASSWORD });
        if (result.status !== 'signed_in' || result.tokens.strategy !== 'cookie') {
          throw new Error(`expected a cookie sign-in, got ${result.status}`);
        }
        return { id: result.session.id, token: result.tokens.sessionToken };
      };
      const mine = await signIn();
      const other = await signIn();
      const user = await auth.storage.users.getByEmail(email);
      if (user === undefined) throw new Error('the registered user is missing');
      // Both validated first, so a cache (of session and user together) holds them.
      for (const s of [mine, other])
        expect(await outcome(auth.validateSession(s.token))).toBe('ok');

      await auth.passwords.change({
        userId: user.id,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        sessionId: mine.id,
      });
      expect(await outcome(auth.validateSession(mine.token))).toBe('ok');
      expect(await outcome(auth.validateSession(other.token))).toBe('UNAUTHENTICATED');

      // A sign-in that checked the old password and stores its session after the change:
      // written with the old generation, and refused however the storage serves it.
      const now = Date.now();
      const secret = randomToken({ bytes: 32 });
      const late = randomToken({ bytes: 16 });
      await auth.storage.sessions.create({
        id: late,
        userId: user.id,
        secretHash: sha256Base64Url(secret),
        previousRefreshHashes: [],
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + 3_600_000,
        absoluteExpiresAt: now + 7_200_000,
        freshUntil: now + 600_000,
        amr: ['pwd'],
        credentialGeneration: user.credentialGeneration,
      });
      expect(await outcome(auth.validateSession(`${late}.${secret}`))).toBe('UNAUTHENTICATED');
      expect((await auth.sessions.list(user.id)).map((s) => s.id)).toEqual([mine.id]);
    },
  );
}
