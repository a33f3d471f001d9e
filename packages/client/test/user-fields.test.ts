import { CookieJar } from '@portcullis/core/testing';
import * as v from 'valibot';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AuthClient,
  type ClientOf,
  createAuthClient,
  isAuthClientError,
  type NoFields,
} from '../src/index.js';
import { clientFor, jarFetch, PASSWORD, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fields = {
  bio: { schema: v.optional(v.pipe(v.string(), v.maxLength(500))), input: true, editable: true },
  plan: v.optional(v.picklist(['free', 'pro'])),
};

/** The app's fields as the client sees them. */
type Fields = { bio: string | null; plan: 'free' | 'pro' | null };

describe('the app’s own user fields from the client', () => {
  it('types users with createAuthClient<F>, sends and receives the fields', async () => {
    server = await startServer('cookie', {
      user: { fields },
      emailVerification: { required: false },
      registration: { signIn: true },
    } as never);
    const jar = new CookieJar(server.clock.now);
    const client = createAuthClient<Fields>({
      baseUrl: server.baseUrl,
      strategy: 'cookie',
      fetch: jarFetch(jar),
      locks: null,
      broadcastChannel: null,
      now: server.clock.now,
    });
    // registration.signIn: the client comes back signed in.
    const registered = await client.register({
      email: 'ada@example.com',
      password: PASSWORD,
      bio: 'Notes on the engine',
    });
    expect(registered.status).toBe('signed_in');
    if (registered.status !== 'signed_in') return;
    expectTypeOf(registered.user.bio).toEqualTypeOf<string | null>();
    expect(registered.user).toMatchObject({ bio: 'Notes on the engine', plan: null });
    const me = await client.user.get();
    expectTypeOf(me.plan).toEqualTypeOf<'free' | 'pro' | null>();
    const updated = await client.user.update({ bio: null, firstName: 'Ada' });
    expect(updated).toMatchObject({ bio: null, firstName: 'Ada' });
    const refused = await client.user.update({ plan: 'pro' }).catch((e: unknown) => e);
    expect(isAuthClientError(refused, 'VALIDATION_FAILED')).toBe(true);
    expect((await client.session()).user).toMatchObject({ firstName: 'Ada', plan: null });
  });

  it('without fields it is the plain AuthClient', () => {
    expectTypeOf<ClientOf<NoFields>>().toEqualTypeOf<AuthClient>();
    const plain = createAuthClient({ baseUrl: 'http://localhost:3000', strategy: 'cookie' });
    expectTypeOf(plain).toEqualTypeOf<AuthClient>();
  });

  it('register still answers verification_sent where the server does not sign in', async () => {
    server = await startServer('cookie');
    const { client } = clientFor(server, 'cookie');
    expect(await client.register({ email: 'ada@example.com', password: PASSWORD })).toEqual({
      status: 'verification_sent',
    });
  });
});
