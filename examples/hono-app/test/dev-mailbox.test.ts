import { randomBytes } from 'node:crypto';
import { memoryStorage, silentLogger } from '@portcullis/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

const example = createApp({
  storage: memoryStorage(),
  appUrl: 'http://localhost:3000',
  secret: randomBytes(32).toString('base64url'),
  production: false,
  logger: silentLogger,
});

afterAll(async () => {
  await example.close();
});

describe('the dev mailbox answers only a loopback Host (DNS rebinding)', () => {
  const get = (host: string) =>
    example.app.request('http://localhost:3000/dev/mailbox', { headers: { host } });

  it('404 to another name, even one that resolves to 127.0.0.1', async () => {
    expect((await get('evil.example')).status).toBe(404);
    expect((await get('127.0.0.1.nip.io:3000')).status).toBe(404);
  });

  it('200 to localhost, 127.0.0.1 and [::1]', async () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'app.localhost']) {
      expect((await get(host)).status, host).toBe(200);
    }
  });
});
