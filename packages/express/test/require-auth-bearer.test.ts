import { createServer } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { portcullis, requireAuth } from '../src/index.js';
import { BASE, call, listen, makeAuth, PASSWORD } from './helpers.js';

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((stop) => stop()));
  stops = [];
});

describe('requireAuth (Express)', () => {
  it('serves rules from the roles claim, sets req.auth, loads the user on demand', async () => {
    const auth = await makeAuth({ session: { strategy: 'jwt', accessToken: { roles: true } } });
    const app = express();
    app.use(BASE, portcullis(auth));
    app.get('/admin-only', requireAuth(auth, { role: 'admin' }), (req, res) => {
      res.json({ sub: req.auth?.claims.sub, roles: req.auth?.claims.roles });
    });
    app.get('/me', requireAuth(auth), async (req, res) => {
      const user = await req.auth?.user();
      res.json({ email: user?.email });
    });
    const server = await listen(createServer(app));
    stops.push(async () => {
      await server.close();
      await auth.close();
    });
    const bearer = async (email: string, roles: string[]) => {
      await auth.register({ email, password: PASSWORD });
      const user = await auth.storage.users.getByEmail(email);
      await auth.storage.users.update(user?.id ?? '', { roles, updatedAt: Date.now() });
      const result = await auth.login({ identifier: email, password: PASSWORD });
      if (result.status !== 'signed_in' || result.tokens.strategy !== 'jwt') throw new Error('jwt');
      return { authorization: `Bearer ${result.tokens.accessToken}`, id: result.user.id };
    };
    const admin = await bearer('admin@example.com', ['admin']);
    const plain = await bearer('eve@example.com', []);
    const ok = await call(`${server.baseUrl}/admin-only`, {
      headers: { authorization: admin.authorization },
    });
    expect(await ok.json()).toEqual({ sub: admin.id, roles: ['admin'] });
    const denied = await call(`${server.baseUrl}/admin-only`, {
      headers: { authorization: plain.authorization },
    });
    expect(denied.status).toBe(403);
    expect((await call(`${server.baseUrl}/admin-only`)).status).toBe(401);
    const me = await call(`${server.baseUrl}/me`, {
      headers: { authorization: plain.authorization },
    });
    expect(await me.json()).toEqual({ email: 'eve@example.com' });
  });
});
