import { expect } from 'vitest';
import type { TotpState, UserRecord } from '../../storage/types/users.js';
import { type AddCheck, expectSameKeys, GENERATION, newUser, startTime, uid } from './fixtures.js';

const TOTP: TotpState = {
  encryptedSecret: 'v1.iv.ciphertext.tag',
  algorithm: 'sha1',
  digits: 6,
  periodSeconds: 30,
  t0: 0,
};

/** A user record as a careless caller treats it. */
type Mutable = {
  email: string;
  disabled: boolean;
  credentialGeneration: number;
  metadata: { tags: string[]; nested: { n: number } };
  totp: { digits: number };
};

/** `user` without its optional fields: what an app without usernames stores at sign-up. */
function bare(user: UserRecord): UserRecord {
  const { username: _u, usernameNormalized: _n, passwordHash: _p, ...rest } = user;
  return rest;
}

/**
 * Registers the checks of `users` on its fields: the credential generation kept exactly,
 * normalized usernames compared exactly, refused creates that reserve nothing, whole
 * replacement of `metadata` and `totp`, absent optional fields, and copies.
 */
export function userFieldChecks(check: AddCheck): void {
  check(
    'keeps credentialGeneration exactly (2^52 + 3) through create, lookups and update',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const user = newUser(t);
      expect(await users.create(user)).toBe('created');
      const lookups = async () => [
        await users.getById(user.id),
        await users.getByEmail(user.emailNormalized),
        await users.getByUsername(user.usernameNormalized ?? ''),
      ];
      for (const found of await lookups()) expect(found?.credentialGeneration).toBe(GENERATION);
      // A patch without it keeps it; one with it replaces it, exactly, down to 0.
      expect(await users.update(user.id, { firstName: 'Ada', updatedAt: t + 1 })).toBe('updated');
      for (const found of await lookups()) expect(found?.credentialGeneration).toBe(GENERATION);
      for (const next of [GENERATION + 2, 0]) {
        const patch = { credentialGeneration: next, updatedAt: t + 2 };
        expect(await users.update(user.id, patch)).toBe('updated');
        for (const found of await lookups()) expect(found?.credentialGeneration).toBe(next);
      }
    },
  );

  check(
    'metadataKeys sets and removes only its keys; two racing patches of different keys both stand',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const user = newUser(t, { metadata: { plan: 'free', theme: 'dark', keep: { n: 1 } } });
      expect(await users.create(user)).toBe('created');
      const patch = { metadataKeys: { bio: 'Poet', theme: null }, updatedAt: t + 1 };
      expect(await users.update(user.id, patch)).toBe('updated');
      expect((await users.getById(user.id))?.metadata).toEqual({
        plan: 'free',
        bio: 'Poet',
        keep: { n: 1 },
      });
      // A user's edit and an admin's change of another key, racing: neither undoes the other.
      const results = await Promise.all([
        users.update(user.id, { metadataKeys: { bio: 'Analyst' }, updatedAt: t + 2 }),
        users.update(user.id, { metadataKeys: { plan: 'pro' }, updatedAt: t + 2 }),
      ]);
      expect(results).toEqual(['updated', 'updated']);
      expect((await users.getById(user.id))?.metadata).toEqual({
        plan: 'pro',
        bio: 'Analyst',
        keep: { n: 1 },
      });
      expect(await users.update('no-such-user', patch)).toBe('not_found');
    },
  );

  check('compares normalized usernames exactly: abc and ABC are two users', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const lower = uid('name').toLowerCase();
    const upper = lower.toUpperCase();
    const a = newUser(t, { usernameNormalized: lower });
    const b = newUser(t, { usernameNormalized: upper });
    expect(await users.create(a)).toBe('created');
    expect(await users.getByUsername(upper)).toBeUndefined();
    expect(await users.create(b)).toBe('created');
    expect((await users.getByUsername(lower))?.id).toBe(a.id);
    expect((await users.getByUsername(upper))?.id).toBe(b.id);
    // Taking another case of a username by update is no conflict either.
    const c = newUser(t);
    await users.create(c);
    const mixed = `${upper.slice(0, 3)}${lower.slice(3)}`;
    const patch = { username: mixed, usernameNormalized: mixed, updatedAt: t + 1 };
    expect(await users.update(c.id, patch)).toBe('updated');
    expect((await users.getByUsername(mixed))?.id).toBe(c.id);
    expect((await users.getByUsername(lower))?.id).toBe(a.id);
  });

  check(
    'reserves nothing for a refused create: its id, email and username stay free',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const owner = newUser(t);
      await users.create(owner);
      const sameEmail = newUser(t, { emailNormalized: owner.emailNormalized });
      expect(await users.create(sameEmail)).toBe('conflict');
      const sameName = newUser(t, { usernameNormalized: owner.usernameNormalized ?? '' });
      expect(await users.create(sameName)).toBe('conflict');
      expect(await users.getById(sameEmail.id)).toBeUndefined();
      expect(await users.getByUsername(sameEmail.usernameNormalized ?? '')).toBeUndefined();
      expect(await users.getByEmail(sameName.emailNormalized)).toBeUndefined();
      // The next user takes the refused id and username of one, and the email of the other.
      const next = newUser(t, {
        id: sameEmail.id,
        usernameNormalized: sameEmail.usernameNormalized ?? '',
        emailNormalized: sameName.emailNormalized,
      });
      expect(await users.create(next)).toBe('created');
      expect(await users.getByUsername(next.usernameNormalized ?? '')).toEqual(next);
      expect(await users.getByEmail(owner.emailNormalized)).toEqual(owner);
    },
  );

  check(
    'answers conflict for a create with an existing id and keeps the stored user',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const user = newUser(t, { firstName: 'Original' });
      await users.create(user);
      const intruder = newUser(t + 1, { id: user.id, firstName: 'Intruder', disabled: true });
      expect(await users.create(intruder)).toBe('conflict');
      expect(await users.getById(user.id)).toEqual(user);
      expect(await users.getByEmail(user.emailNormalized)).toEqual(user);
      expect(await users.getByEmail(intruder.emailNormalized)).toBeUndefined();
      expect(await users.getByUsername(intruder.usernameNormalized ?? '')).toBeUndefined();
    },
  );

  check('replaces metadata and totp whole on update, never merging them', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const user = newUser(t, { totp: { ...TOTP, lastUsedStep: 5 } });
    await users.create(user);
    const metadata = { other: 1, nested: { m: 2 } };
    expect(await users.update(user.id, { metadata, updatedAt: t + 1 })).toBe('updated');
    expect((await users.getById(user.id))?.metadata).toEqual(metadata);
    const totp = { ...TOTP, encryptedSecret: 'v2.iv.ciphertext.tag', digits: 8 };
    expect(await users.update(user.id, { totp, updatedAt: t + 2 })).toBe('updated');
    const stored = await users.getById(user.id);
    expect(stored?.totp).toEqual(totp);
    // The replaced enrollment's lastUsedStep is gone with it (a new secret starts afresh).
    expectSameKeys(stored?.totp, totp, 'users.getById totp');
    expect(await users.update(user.id, { metadata: {}, updatedAt: t + 3 })).toBe('updated');
    expect((await users.getById(user.id))?.metadata).toEqual({});
  });

  check(
    'leaves absent optional fields absent (no null, no undefined key), created or removed',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const plain = bare(newUser(t));
      await users.create(plain);
      expectSameKeys(await users.getById(plain.id), plain, 'users.getById');
      expectSameKeys(await users.getByEmail(plain.emailNormalized), plain, 'users.getByEmail');
      const named = newUser(t, { totp: TOTP });
      await users.create(named);
      const found = await users.getByUsername(named.usernameNormalized ?? '');
      expectSameKeys(found, named, 'users.getByUsername');
      expectSameKeys(found?.totp, TOTP, 'users.getByUsername totp');

      const rich = newUser(t, {
        emailVerifiedAt: t,
        firstName: 'Ada',
        lastName: 'Lovelace',
        phone: '+15550100',
        phoneVerifiedAt: t,
        totp: { ...TOTP, lastUsedStep: 3 },
        lastLoginAt: t,
      });
      await users.create(rich);
      const removeAll = {
        emailVerifiedAt: null,
        username: null,
        usernameNormalized: null,
        passwordHash: null,
        firstName: null,
        lastName: null,
        phone: null,
        phoneVerifiedAt: null,
        totp: null,
        lastLoginAt: null,
        updatedAt: t + 1,
      };
      expect(await users.update(rich.id, removeAll)).toBe('updated');
      expectSameKeys(await users.getById(rich.id), plain, 'users.getById after null patch');
    },
  );

  check(
    'returns copies: mutating what create or update got, or what a lookup returned, changes nothing',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const user = newUser(t, { totp: TOTP });
      const input = structuredClone(user) as unknown as Mutable;
      await users.create(input as unknown as UserRecord);
      input.metadata.tags.push('by caller');
      input.totp.digits = 8;
      input.email = 'changed@example.test';
      expect(await users.getById(user.id)).toEqual(user);
      const reads = [
        () => users.getById(user.id),
        () => users.getByEmail(user.emailNormalized),
        () => users.getByUsername(user.usernameNormalized ?? ''),
      ];
      for (const read of reads) {
        const got = (await read()) as unknown as Mutable;
        got.metadata.nested.n = 99;
        got.metadata.tags.length = 0;
        got.totp.digits = 7;
        got.disabled = true;
        got.credentialGeneration = 1;
        for (const again of reads) expect(await again()).toEqual(user);
      }
      const patch = { metadata: { list: ['a'] }, totp: { ...TOTP }, updatedAt: t + 1 };
      expect(await users.update(user.id, patch)).toBe('updated');
      const updated = structuredClone(await users.getById(user.id));
      patch.metadata.list.push('b');
      (patch.totp as { digits: number }).digits = 8;
      expect(await users.getById(user.id)).toEqual(updated);
    },
  );
}
