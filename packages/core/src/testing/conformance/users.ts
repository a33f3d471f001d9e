import { expect } from 'vitest';
import type { UserRecord } from '../../storage/types/users.js';
import { type AddCheck, newUser, RACERS, race, startTime, tally, uid } from './fixtures.js';

const TOTP = {
  encryptedSecret: 'v1.iv.ciphertext.tag',
  algorithm: 'sha1',
  digits: 6,
  periodSeconds: 30,
  t0: 0,
} as const;

/** `user` without its username, as a user of an app without usernames is stored. */
function withoutUsername(user: UserRecord): UserRecord {
  const { username: _username, usernameNormalized: _normalized, ...rest } = user;
  return rest;
}

/** Registers the checks of `users`. */
export function userChecks(check: AddCheck): void {
  check(
    'creates a user and finds it by id, normalized email and normalized username',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime());
      expect(await users.create(user)).toBe('created');
      expect(await users.getById(user.id)).toEqual(user);
      expect(await users.getByEmail(user.emailNormalized)).toEqual(user);
      expect(await users.getByUsername(user.usernameNormalized ?? '')).toEqual(user);
    },
  );

  check('resolves lookups that find nothing to undefined', async (ctx) => {
    const { users } = ctx.storage();
    expect(await users.getById(uid('missing'))).toBeUndefined();
    expect(await users.getByEmail(`${uid('missing')}@example.test`)).toBeUndefined();
    expect(await users.getByUsername(uid('missing'))).toBeUndefined();
  });

  check('compares normalized values exactly: no lower(), no citext', async (ctx) => {
    const { users } = ctx.storage();
    const user = newUser(startTime());
    await users.create(user);
    expect(await users.getByEmail(user.emailNormalized.toUpperCase())).toBeUndefined();
    // Core decides what is "the same email"; two normalized forms are two users.
    const other = newUser(startTime(), { emailNormalized: user.emailNormalized.toUpperCase() });
    expect(await users.create(other)).toBe('created');
  });

  check('answers conflict, never a driver error, for a duplicate normalized email', async (ctx) => {
    const { users } = ctx.storage();
    const user = newUser(startTime());
    await users.create(user);
    const dup = newUser(startTime(), { emailNormalized: user.emailNormalized });
    expect(await users.create(dup)).toBe('conflict');
    expect(await users.getById(dup.id)).toBeUndefined();
    expect(await users.getByEmail(user.emailNormalized)).toEqual(user);
  });

  check(
    'answers conflict for a duplicate normalized username; absent usernames never conflict',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime());
      await users.create(user);
      const dup = newUser(startTime(), { usernameNormalized: user.usernameNormalized ?? '' });
      expect(await users.create(dup)).toBe('conflict');
      expect(await users.getById(dup.id)).toBeUndefined();
      expect(await users.create(withoutUsername(newUser(startTime())))).toBe('created');
      expect(await users.create(withoutUsername(newUser(startTime())))).toBe('created');
    },
  );

  check(`lets exactly one of ${RACERS} concurrent creates with one email win`, async (ctx) => {
    const { users } = ctx.storage();
    const email = newUser(startTime()).emailNormalized;
    const results = await race(RACERS, () =>
      users.create(newUser(startTime(), { emailNormalized: email })),
    );
    expect(tally(results).get('created')).toBe(1);
    expect(tally(results).get('conflict')).toBe(RACERS - 1);
  });

  check(`lets exactly one of ${RACERS} concurrent creates with one username win`, async (ctx) => {
    const { users } = ctx.storage();
    const username = uid('username').toLowerCase();
    const contenders = Array.from({ length: RACERS }, () =>
      newUser(startTime(), { usernameNormalized: username }),
    );
    const results = await Promise.all(contenders.map((user) => users.create(user)));
    expect(tally(results).get('created')).toBe(1);
    expect(tally(results).get('conflict')).toBe(RACERS - 1);
    const winner = contenders[results.indexOf('created')];
    expect((await users.getByUsername(username))?.id).toBe(winner?.id);
  });

  check('updates only the fields of a patch, and null removes an optional field', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const user = newUser(t, { firstName: 'Ada', phone: '+15550100' });
    await users.create(user);
    const patch = { lastName: 'Lovelace', phone: null, passwordHash: null, updatedAt: t + 1 };
    expect(await users.update(user.id, patch)).toBe('updated');
    const { phone: _phone, passwordHash: _hash, ...kept } = user;
    expect(await users.getById(user.id)).toEqual({
      ...kept,
      lastName: 'Lovelace',
      updatedAt: t + 1,
    });
  });

  check('moves the email and username indexes on update and frees the old values', async (ctx) => {
    const { users } = ctx.storage();
    const t = startTime();
    const user = newUser(t);
    await users.create(user);
    const next = newUser(t);
    const patch = {
      email: next.email,
      emailNormalized: next.emailNormalized,
      username: null,
      usernameNormalized: null,
      updatedAt: t + 1,
    };
    expect(await users.update(user.id, patch)).toBe('updated');
    expect((await users.getByEmail(next.emailNormalized))?.id).toBe(user.id);
    expect(await users.getByEmail(user.emailNormalized)).toBeUndefined();
    expect(await users.getByUsername(user.usernameNormalized ?? '')).toBeUndefined();
    const reuse = newUser(t, { emailNormalized: user.emailNormalized });
    expect(
      await users.create({ ...reuse, usernameNormalized: user.usernameNormalized ?? '' }),
    ).toBe('created');
  });

  check(
    'answers conflict and changes nothing when an update takes another user’s email or username',
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const [a, b] = [newUser(t), newUser(t)];
      await users.create(a);
      await users.create(b);
      const byEmail = { email: 'x', emailNormalized: b.emailNormalized, updatedAt: t + 1 };
      expect(await users.update(a.id, { ...byEmail, firstName: 'Eve' })).toBe('conflict');
      const byName = { usernameNormalized: b.usernameNormalized ?? '', updatedAt: t + 1 };
      expect(await users.update(a.id, byName)).toBe('conflict');
      expect(await users.getById(a.id)).toEqual(a);
      // Keeping one's own email is no conflict.
      expect(
        await users.update(a.id, { emailNormalized: a.emailNormalized, updatedAt: t + 2 }),
      ).toBe('updated');
    },
  );

  check(
    `lets exactly one of ${RACERS} concurrent updates to one email win; the others change nothing`,
    async (ctx) => {
      const { users } = ctx.storage();
      const t = startTime();
      const contenders = Array.from({ length: RACERS }, () => newUser(t));
      for (const user of contenders) await users.create(user);
      const { email, emailNormalized } = newUser(t);
      const results = await Promise.all(
        contenders.map((user) =>
          users.update(user.id, { email, emailNormalized, updatedAt: t + 1 }),
        ),
      );
      expect(tally(results).get('updated')).toBe(1);
      expect(tally(results).get('conflict')).toBe(RACERS - 1);
      const winner = contenders[results.indexOf('updated')];
      expect((await users.getByEmail(emailNormalized))?.id).toBe(winner?.id);
      const losers = contenders.filter((user) => user !== winner);
      expect(await Promise.all(losers.map((user) => users.getById(user.id)))).toEqual(losers);
    },
  );

  check('answers not_found for an update of a missing user', async (ctx) => {
    const { users } = ctx.storage();
    expect(await users.update(uid('missing'), { disabled: true, updatedAt: startTime() })).toBe(
      'not_found',
    );
  });

  check(
    'advances the TOTP step only forwards: a replayed or older step is refused',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime(), { totp: TOTP });
      await users.create(user);
      expect(await users.advanceTotpStep(user.id, 1000)).toBe('advanced');
      expect(await users.advanceTotpStep(user.id, 1000)).toBe('replayed');
      expect(await users.advanceTotpStep(user.id, 999)).toBe('replayed');
      expect(await users.advanceTotpStep(user.id, 1001)).toBe('advanced');
      expect((await users.getById(user.id))?.totp).toEqual({ ...TOTP, lastUsedStep: 1001 });
    },
  );

  check(
    'answers not_found for advanceTotpStep of a missing user or one without TOTP',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime());
      await users.create(user);
      expect(await users.advanceTotpStep(user.id, 1)).toBe('not_found');
      expect(await users.advanceTotpStep(uid('missing'), 1)).toBe('not_found');
    },
  );

  check(`accepts one TOTP code once when ${RACERS} logins race with it`, async (ctx) => {
    const { users } = ctx.storage();
    const user = newUser(startTime(), { totp: { ...TOTP, lastUsedStep: 10 } });
    await users.create(user);
    const results = await race(RACERS, () => users.advanceTotpStep(user.id, 11));
    expect(tally(results).get('advanced')).toBe(1);
    expect(tally(results).get('replayed')).toBe(RACERS - 1);
  });

  check(
    'deletes a user and frees its email and username; deleting again is a no-op',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime());
      await users.create(user);
      await users.delete(user.id);
      await users.delete(user.id);
      expect(await users.getById(user.id)).toBeUndefined();
      expect(await users.getByEmail(user.emailNormalized)).toBeUndefined();
      expect(await users.create({ ...newUser(startTime()), ...pick(user) })).toBe('created');
    },
  );

  check(
    'returns copies: mutating a record passed in or returned never changes the store',
    async (ctx) => {
      const { users } = ctx.storage();
      const user = newUser(startTime());
      const input = structuredClone(user) as { metadata: { plan: string } } & UserRecord;
      await users.create(input);
      input.metadata.plan = 'changed by caller';
      const read = (await users.getById(user.id)) as { metadata: { plan: string } } & UserRecord;
      expect(read).toEqual(user);
      read.metadata.plan = 'changed again';
      expect(await users.getById(user.id)).toEqual(user);
    },
  );
}

function pick(user: UserRecord): Pick<UserRecord, 'emailNormalized'> & Partial<UserRecord> {
  return user.usernameNormalized === undefined
    ? { emailNormalized: user.emailNormalized }
    : { emailNormalized: user.emailNormalized, usernameNormalized: user.usernameNormalized };
}
