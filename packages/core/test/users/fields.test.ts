import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import {
  type Auth,
  type AuthErrorCode,
  createAuth,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '../../src/index.js';
import { fakeClock } from '../../src/testing/index.js';
import { CTX, cheapHasher, expectCode, PASSWORD, setup } from '../account/helpers.js';

const ADA = 'ada@example.com';
const ORIGIN = 'http://localhost:3000';

/** The fields of the example, plus an admin-only one and a required input. */
const FIELDS = {
  bio: {
    schema: v.optional(v.pipe(v.string(), v.maxLength(500, 'bio is at most 500 characters'))),
    input: true,
    editable: true,
  },
  profilePicture: {
    schema: v.optional(v.pipe(v.string(), v.url('profilePicture must be a URL'))),
    editable: true,
  },
  plan: v.optional(v.picklist(['free', 'pro'])),
} as const;

async function withFields() {
  const made = await setup({ user: { fields: FIELDS } } as never);
  return { ...made, auth: made.auth as unknown as Auth<typeof FIELDS> };
}

function detailsOf(error: { details?: readonly { path: string }[] }) {
  return (error.details ?? []).map((d) => d.path);
}

describe('configuration of user fields', () => {
  const base = { storage: memoryStorage(), mailer: memoryMailer(), appUrl: ORIGIN };
  it.each([
    ['a reserved name', { email: v.string() }, /reserved/],
    ['a bad name', { 'bad-name': v.string() }, /letters, digits/],
    ['a prototype key', { __proto__x: v.string() }, /letters, digits/],
    ['something not a schema', { bio: 'string' }, /valibot schema/],
    ['an async schema', { bio: v.pipeAsync(v.string()) }, /valibot schema/],
  ])('refuses %s (CONFIG_INVALID)', (_label, fields, message) => {
    expect(() => createAuth({ ...base, user: { fields: fields as never } })).toThrow(message);
  });

  it('refuses registration.signIn while verification is required', () => {
    expect(() => createAuth({ ...base, registration: { signIn: true } })).toThrow(
      /emailVerification\.required: false/,
    );
  });
});

describe('user fields through the typed API', () => {
  it('registration stores input fields; every field is in the public user, null when unset', async () => {
    const { auth, signUp } = await withFields();
    await auth.register({ email: ADA, password: PASSWORD, bio: 'Analyst' }, CTX);
    const id = (await auth.storage.users.getByEmail(ADA))?.id ?? '';
    const user = await auth.users.get(id);
    expect(user).toMatchObject({ email: ADA, bio: 'Analyst', profilePicture: null, plan: null });
    // Stored in metadata under the field's name, where every adapter keeps JSON already.
    expect((await auth.storage.users.getById(id))?.metadata).toEqual({ bio: 'Analyst' });
    const other = await signUp('grace@example.com');
    expect(await auth.users.get(other)).toMatchObject({ bio: null, profilePicture: null });
  });

  it('registration refuses fields not marked input, and bad values, naming each; nothing is stored', async () => {
    const { auth } = await withFields();
    const notInput = await expectCode(
      auth.register(
        { email: ADA, password: PASSWORD, profilePicture: 'https://x.example/a.png' } as never,
        CTX,
      ),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(notInput)).toEqual(['profilePicture']);
    const bad = await expectCode(
      auth.register({ email: ADA, password: PASSWORD, bio: 'x'.repeat(501) }, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(bad)).toEqual(['bio']);
    const wrongType = await expectCode(
      auth.register({ email: ADA, password: PASSWORD, bio: 42 } as never, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(wrongType)).toEqual(['bio']);
    expect(await auth.storage.users.getByEmail(ADA)).toBeUndefined();
  });

  it('a required input field is enforced at registration', async () => {
    const { auth } = await setup({
      user: { fields: { company: { schema: v.pipe(v.string(), v.minLength(1)), input: true } } },
    } as never);
    const error = await expectCode(
      auth.register({ email: ADA, password: PASSWORD } as never, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(error)).toEqual(['company']);
  });

  it('PATCH semantics: editable fields change, null clears, user.updated names them', async () => {
    const { auth, events, signUp } = await withFields();
    const id = await signUp(ADA);
    const user = await auth.users.update(
      id,
      { bio: 'Poet', profilePicture: 'https://img.example/ada.png' },
      CTX,
    );
    expect(user).toMatchObject({ bio: 'Poet', profilePicture: 'https://img.example/ada.png' });
    const cleared = await auth.users.update(id, { bio: null }, CTX);
    expect(cleared).toMatchObject({ bio: null, profilePicture: 'https://img.example/ada.png' });
    expect((await auth.storage.users.getById(id))?.metadata).toEqual({
      profilePicture: 'https://img.example/ada.png',
    });
    const updated = events.filter((e) => e.type === 'user.updated').map((e) => e.data);
    expect(updated).toEqual([{ fields: ['bio', 'profilePicture'] }, { fields: ['bio'] }]);
    expect(JSON.stringify(updated)).not.toContain('Poet');
    // The same values again: no write, no event.
    const before = events.length;
    await auth.users.update(id, { profilePicture: 'https://img.example/ada.png' }, CTX);
    expect(events.length).toBe(before);
  });

  it('refuses a field without editable, an unknown key, a bad value and a userId, naming each; nothing changes', async () => {
    const { auth, signUp } = await withFields();
    const id = await signUp(ADA);
    const victim = await signUp('grace@example.com');
    const cases: [Record<string, unknown>, string[]][] = [
      [{ plan: 'pro' }, ['plan']],
      [{ nickname: 'ada' }, ['nickname']],
      [{ profilePicture: 'not a url' }, ['profilePicture']],
      [{ userId: victim, firstName: 'Mallory' }, ['userId']],
      [{ bio: 'ok', plan: 'pro', extra: 1 }, ['extra', 'plan']],
      // What no store keeps as given: refused here, not by the driver.
      [{ bio: 'a\u0000b' }, ['bio']],
      [{ bio: 'a\ud800b' }, ['bio']],
    ];
    for (const [patch, paths] of cases) {
      const error = await expectCode(
        auth.users.update(id, patch as never, CTX),
        'VALIDATION_FAILED',
      );
      expect(detailsOf(error).sort(), JSON.stringify(patch)).toEqual(paths);
    }
    expect(await auth.users.get(id)).toMatchObject({ bio: null, plan: null, firstName: null });
    expect(await auth.users.get(victim)).toMatchObject({ firstName: null });
  });

  it('a field the schema transforms is stored as transformed; non-JSON output is refused', async () => {
    const { auth, signUp } = await setup({
      user: {
        fields: {
          nickname: { schema: v.optional(v.pipe(v.string(), v.trim())), editable: true },
          born: {
            schema: v.optional(
              v.pipe(
                v.string(),
                v.transform((s) => new Date(s)),
              ),
            ),
            editable: true,
          },
        },
      },
    } as never);
    const id = await signUp(ADA);
    expect(await auth.users.update(id, { nickname: '  Ada  ' } as never, CTX)).toMatchObject({
      nickname: 'Ada',
    });
    const error = await expectCode(
      auth.users.update(id, { born: '1815-12-10' } as never, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(error)).toEqual(['born']);
  });

  it('types the users of Auth<F> with the fields', async () => {
    const auth = createAuth({
      storage: memoryStorage(),
      mailer: memoryMailer(),
      appUrl: ORIGIN,
      logger: silentLogger,
      user: { fields: FIELDS },
    });
    type User = Awaited<ReturnType<typeof auth.users.get>>;
    expectTypeOf<User['bio']>().toEqualTypeOf<string | null>();
    expectTypeOf<User['plan']>().toEqualTypeOf<'free' | 'pro' | null>();
    type Patch = Parameters<typeof auth.users.update>[1];
    expectTypeOf<Patch>().toHaveProperty('bio');
    expectTypeOf<Patch>().toHaveProperty('profilePicture');
    expectTypeOf<Patch>().not.toHaveProperty('plan');
    type Register = Parameters<typeof auth.register>[0];
    expectTypeOf<Register>().toHaveProperty('bio');
    expectTypeOf<Register>().not.toHaveProperty('profilePicture');
    type Session = Awaited<ReturnType<typeof auth.validateSession>>;
    expectTypeOf<Session['user']['bio']>().toEqualTypeOf<string | null>();
  });
});

describe('user fields through the admin API', () => {
  it('an admin sets every field (editable or not), checked by its schema; lists and details show them', async () => {
    const { auth, signUp, events } = await withFields();
    const adminId = await signUp('admin@example.com');
    await auth.storage.users.update(adminId, { roles: ['admin'], updatedAt: Date.now() });
    const id = await signUp(ADA);
    const actor = { userId: adminId };
    const updated = await auth.admin.users.update(
      actor,
      id,
      { plan: 'pro', bio: 'Set by staff' },
      CTX,
    );
    expect(updated).toMatchObject({ plan: 'pro', bio: 'Set by staff', profilePicture: null });
    const audit = events.filter((e) => e.type === 'admin.action').at(-1);
    expect(audit?.data).toMatchObject({ fields: ['bio', 'plan'] });
    const bad = await expectCode(
      auth.admin.users.update(actor, id, { plan: 'platinum' } as never, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(bad)).toEqual(['plan']);
    const unknown = await expectCode(
      auth.admin.users.update(actor, id, { nickname: 'x' } as never, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(unknown)).toEqual(['nickname']);
    // Every bad key at once: a field's and the rest's.
    const both = await expectCode(
      auth.admin.users.update(actor, id, { plan: 'platinum', firstName: 42 } as never, CTX),
      'VALIDATION_FAILED',
    );
    expect(detailsOf(both).sort()).toEqual(['firstName', 'plan']);
    const cleared = await auth.admin.users.update(actor, id, { plan: null }, CTX);
    expect(cleared.plan).toBeNull();
    const created = await auth.admin.users.create(
      actor,
      { email: 'grace@example.com', password: PASSWORD, plan: 'free', emailVerified: true },
      CTX,
    );
    expect(created).toMatchObject({ email: 'grace@example.com', plan: 'free', bio: null });
    const { users } = await auth.admin.users.list(actor, { query: 'grace' });
    expect(users[0]).toMatchObject({ plan: 'free', bio: null });
    const detail = await auth.admin.users.get(actor, id);
    expect(detail.user).toMatchObject({ bio: 'Set by staff', plan: null });
  });
});

async function httpApp(over: Record<string, unknown> = {}) {
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const mailer = memoryMailer();
  const auth = createAuth({
    storage: memoryStorage(),
    mailer,
    appUrl: ORIGIN,
    secret: 's'.repeat(32),
    logger: silentLogger,
    clock,
    emailVerification: { required: false },
    password: { hasher: await cheapHasher() },
    user: { fields: FIELDS },
    ...over,
  });
  const handler = createHttpHandler(auth);
  const call = (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers: { origin: ORIGIN, 'content-type': 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
      { remoteAddress: '127.0.0.1' },
    );
  const cookiesOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  const csrfOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-portcullis.csrf='))
      ?.split(';')[0]
      ?.split('=')[1] ?? '';
  return { auth, mailer, call, cookiesOf, csrfOf };
}

async function errorOf(res: Response): Promise<{ code: AuthErrorCode; paths: string[] }> {
  const body = (await res.json()) as {
    error: { code: AuthErrorCode; details?: { path: string }[] };
  };
  return { code: body.error.code, paths: (body.error.details ?? []).map((d) => d.path).sort() };
}

describe('user fields over HTTP', () => {
  it('register, GET and PATCH /user carry the fields; bad and unknown ones are 400 naming them', async () => {
    const { call, cookiesOf, csrfOf } = await httpApp();
    expect(
      (await call('POST', '/register', { body: { email: ADA, password: PASSWORD, bio: 'Hi' } }))
        .status,
    ).toBe(202);
    const login = await call('POST', '/login', { body: { identifier: ADA, password: PASSWORD } });
    expect(((await login.json()) as { user: unknown }).user).toMatchObject({
      bio: 'Hi',
      profilePicture: null,
      plan: null,
    });
    const headers = { cookie: cookiesOf(login), 'x-csrf-token': csrfOf(login) };
    const patched = await call('PATCH', '/user', {
      headers,
      body: { profilePicture: 'https://img.example/a.png' },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { user: unknown }).user).toMatchObject({
      bio: 'Hi',
      profilePicture: 'https://img.example/a.png',
    });
    for (const [body, paths] of [
      [{ plan: 'pro' }, ['plan']],
      [{ bio: 'x'.repeat(501) }, ['bio']],
      [{ favouriteColour: 'teal' }, ['favouriteColour']],
    ] as const) {
      const res = await call('PATCH', '/user', { headers, body });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toEqual({ code: 'VALIDATION_FAILED', paths });
    }
    const res = await call('GET', '/user', { headers });
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({
      bio: 'Hi',
      plan: null,
    });
  });

  it('the served OpenAPI document describes the fields from the same schemas', async () => {
    const { call } = await httpApp();
    const doc = (await (await call('GET', '/openapi.json')).json()) as {
      components: {
        schemas: Record<string, { properties: Record<string, unknown>; required: string[] }>;
      };
    };
    const { User, RegisterRequest, UpdateProfileRequest } = doc.components.schemas;
    expect(User?.properties.bio).toEqual({
      anyOf: [{ type: 'string', maxLength: 500 }, { type: 'null' }],
    });
    expect(User?.properties.plan).toEqual({
      anyOf: [{ type: 'string', enum: ['free', 'pro'] }, { type: 'null' }],
    });
    expect(User?.required).toEqual(expect.arrayContaining(['bio', 'profilePicture', 'plan']));
    expect(Object.keys(RegisterRequest?.properties ?? {})).toContain('bio');
    expect(Object.keys(RegisterRequest?.properties ?? {})).not.toContain('profilePicture');
    expect(Object.keys(UpdateProfileRequest?.properties ?? {})).toEqual(
      expect.arrayContaining(['bio', 'profilePicture']),
    );
    expect(Object.keys(UpdateProfileRequest?.properties ?? {})).not.toContain('plan');
  });
});

describe('registration.signIn (sign in right after registering)', () => {
  const signInConfig = { registration: { signIn: true } };

  it('a new address is signed in at once (200, session cookie); the verification mail still goes', async () => {
    const { auth, mailer, call, cookiesOf, csrfOf } = await httpApp(signInConfig);
    const res = await call('POST', '/register', {
      body: { email: ADA, password: PASSWORD, bio: 'Hi' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; user: { email: string; bio: string } };
    expect(body).toMatchObject({ status: 'signed_in', user: { email: ADA, bio: 'Hi' } });
    const me = await call('GET', '/user', {
      headers: { cookie: cookiesOf(res), 'x-csrf-token': csrfOf(res) },
    });
    expect(me.status).toBe(200);
    await expect.poll(() => mailer.find(ADA, 'verify-email')).toBeTruthy();
    const sessions = await auth.sessions.list(
      body.user ? ((await auth.storage.users.getByEmail(ADA))?.id ?? '') : '',
    );
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.amr).toEqual(['pwd']);
  });

  it('a taken address gets the usual 202 and no session (its owner is mailed a notice)', async () => {
    const { call, mailer } = await httpApp(signInConfig);
    expect(
      (await call('POST', '/register', { body: { email: ADA, password: PASSWORD } })).status,
    ).toBe(200);
    const again = await call('POST', '/register', {
      body: { email: ADA, password: 'another good passphrase' },
    });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ status: 'verification_sent' });
    expect(again.headers.getSetCookie()).toEqual([]);
    await expect.poll(() => mailer.find(ADA, 'register-existing')).toBeTruthy();
  });

  it('two registrations racing for one address: exactly one is signed in', async () => {
    const { auth } = await setup({
      emailVerification: { required: false },
      registration: { signIn: true },
    } as never);
    const results = await Promise.all([
      auth.register({ email: ADA, password: PASSWORD }, CTX),
      auth.register(
        { email: ADA, password: 'another good passphrase' },
        { ...CTX, ip: '198.51.100.9' },
      ),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['signed_in', 'verification_sent']);
    const signedIn = results.find((r) => r.status === 'signed_in');
    const stored = await auth.storage.users.getByEmail(ADA);
    expect(signedIn && 'user' in signedIn ? signedIn.user.id : undefined).toBe(stored?.id);
  });

  it('without a password (magic links) it answers 202 and signs nobody in', async () => {
    const { auth } = await setup({
      emailVerification: { required: false },
      registration: { signIn: true },
      magicLink: {},
    } as never);
    expect(await auth.register({ email: ADA }, CTX)).toEqual({ status: 'verification_sent' });
  });
});
