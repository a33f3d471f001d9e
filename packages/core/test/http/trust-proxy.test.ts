import { describe, expect, it } from 'vitest';
import { parseProxyRange } from '../../src/config/trust-proxy.js';
import { clientIp } from '../../src/http/client-ip.js';
import { createHttpHandler } from '../../src/http/index.js';
import { createAuth, memoryMailer, memoryStorage } from '../../src/index.js';
import { type Logger, silentLogger } from '../../src/logging/logger.js';
import { setup } from '../flows/helpers.js';

const ORIGIN = 'https://app.example.com';

const withXff = (xff: string) => new Request(`${ORIGIN}/`, { headers: { 'x-forwarded-for': xff } });

describe('trustProxy: proxy addresses and CIDR ranges', () => {
  it('reads X-Forwarded-For only when the connecting peer lies in a listed range', () => {
    const ranges = ['10.0.0.0/8', 'fd00::/8'];
    const request = withXff('198.51.100.9, 10.1.2.3');
    expect(clientIp(request, '10.9.9.9', ranges)).toBe('198.51.100.9');
    expect(clientIp(request, 'fd12:3456::1', ranges)).toBe('198.51.100.9');
    expect(clientIp(request, '::ffff:10.0.0.1', ranges)).toBe('198.51.100.9');
    // A client that reaches the app directly: its own header is its own word.
    expect(clientIp(request, '203.0.113.5', ranges)).toBe('203.0.113.5');
    expect(clientIp(request, 'fe80::1', ranges)).toBe('fe80::1');
  });

  it('walks the chain from the peer while the hop is a listed proxy', () => {
    const request = withXff('203.0.113.66, 192.0.2.10, 172.16.5.4');
    expect(clientIp(request, '10.0.0.1', ['10.0.0.0/8', '172.16.0.0/12'])).toBe('192.0.2.10');
    expect(clientIp(request, '10.0.0.1', ['10.0.0.0/8', '172.16.0.0/12', '192.0.2.0/24'])).toBe(
      '203.0.113.66',
    );
    // Every hop is a proxy: the farthest one is all we know.
    expect(clientIp(withXff('10.0.0.2'), '10.0.0.1', ['10.0.0.0/8'])).toBe('10.0.0.2');
  });

  it('a hop count believes whoever connects (the reason to list addresses instead)', () => {
    const forged = withXff('192.0.2.200');
    expect(clientIp(forged, '203.0.113.5', 1)).toBe('192.0.2.200');
    expect(clientIp(forged, '203.0.113.5', ['10.0.0.0/8'])).toBe('203.0.113.5');
  });

  it('parses ranges exactly: prefixes, families, host bits, junk', () => {
    expect(parseProxyRange('10.0.0.0/8')).toMatchObject({ v6: false, prefix: 8 });
    expect(parseProxyRange('10.0.0.7')).toMatchObject({ v6: false, prefix: 32 });
    expect(parseProxyRange('0.0.0.0/0')).toMatchObject({ prefix: 0 });
    expect(parseProxyRange('2001:DB8::/32')).toMatchObject({ v6: true, prefix: 32 });
    expect(parseProxyRange('::1')).toMatchObject({ v6: true, prefix: 128 });
    for (const bad of [
      '10.0.0.1/8',
      '10.0.0.0/33',
      '::/129',
      '10.0.0/8',
      'localhost',
      '1.2.3.4/',
      '256.1.1.1',
      '01.2.3.4',
      '10.0.0.0/08x',
    ]) {
      expect(parseProxyRange(bad), bad).toBeUndefined();
    }
    const in24 = withXff('198.51.100.9');
    expect(clientIp(in24, '192.0.2.255', ['192.0.2.0/24'])).toBe('198.51.100.9');
    expect(clientIp(in24, '192.0.3.0', ['192.0.2.0/24'])).toBe('192.0.3.0');
    expect(clientIp(in24, '2001:db8:ffff::1', ['2001:db8::/32'])).toBe('198.51.100.9');
    expect(clientIp(in24, '2001:db9::1', ['2001:db8::/32'])).toBe('2001:db9::1');
  });

  it('createAuth takes CIDR ranges and refuses an entry that is neither address nor range', () => {
    const base = { storage: memoryStorage(), mailer: memoryMailer(), appUrl: ORIGIN };
    expect(() =>
      createAuth({ ...base, trustProxy: ['10.0.0.0/8', '2001:db8::/32'] }),
    ).not.toThrow();
    expect(() => createAuth({ ...base, trustProxy: ['10.0.0.1/8'] })).toThrow(/trustProxy/);
    expect(() => createAuth({ ...base, trustProxy: ['proxy.internal'] })).toThrow(/trustProxy/);
  });

  it('production warns about a hop count, not about addresses', () => {
    const warned = (trustProxy: false | number | readonly string[]) => {
      const lines: string[] = [];
      const logger: Logger = { ...silentLogger, warn: (m) => lines.push(m) };
      createAuth({
        storage: memoryStorage(),
        appUrl: ORIGIN,
        production: true,
        secret: 'x'.repeat(48),
        mailer: { send: async () => {} },
        trustProxy,
        logger,
      });
      return lines.filter((l) => /trustProxy/.test(l));
    };
    expect(warned(1)).toHaveLength(1);
    expect(warned(['10.0.0.0/8'])).toHaveLength(0);
    expect(warned(false)).toHaveLength(0);
  });

  it('over HTTP, a direct client cannot pick its per-IP budget through X-Forwarded-For', async () => {
    const s = await setup({ trustProxy: ['10.0.0.0/8'] });
    const handler = createHttpHandler(s.auth);
    const reset = (remoteAddress: string, xff: string) =>
      handler(
        new Request(`${ORIGIN}/api/auth/password/reset`, {
          method: 'POST',
          headers: {
            origin: ORIGIN,
            'content-type': 'application/json',
            'x-forwarded-for': xff,
          },
          body: JSON.stringify({ email: `u${Math.random()}@example.com` }),
        }),
        { remoteAddress },
      );
    // passwordResetPerIp: 20 an hour. A direct client rotating X-Forwarded-For is one IP.
    for (let i = 0; i < 20; i++) {
      expect((await reset('203.0.113.5', `192.0.2.${i}`)).status).toBe(202);
    }
    expect((await reset('203.0.113.5', '192.0.2.99')).status).toBe(429);
    // Through the proxy, each forwarded client has its own budget.
    expect((await reset('10.0.0.1', '192.0.2.99')).status).toBe(202);
  });
});
