import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/two-factor/index.js';
import { matchTotpStep, type TotpParams, toBase32 } from '../../src/two-factor/totp.js';
import { encryptTotpSecret } from '../../src/two-factor/totp-check.js';
import { CTX, fail, setup2fa } from './helpers.js';

// RFC 6238 Appendix B: the seeds are ASCII, 20/32/64 bytes for SHA-1/SHA-256/SHA-512.
const SEEDS = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;
const VECTORS: [number, Record<keyof typeof SEEDS, string>][] = [
  [59, { sha1: '94287082', sha256: '46119246', sha512: '90693936' }],
  [1111111109, { sha1: '07081804', sha256: '68084774', sha512: '25091201' }],
  [1111111111, { sha1: '14050471', sha256: '67062674', sha512: '99943326' }],
  [1234567890, { sha1: '89005924', sha256: '91819424', sha512: '93441116' }],
  [2000000000, { sha1: '69279037', sha256: '90698825', sha512: '38618901' }],
  [20000000000, { sha1: '65353130', sha256: '77737706', sha512: '47863826' }],
];
const ALGORITHMS = Object.keys(SEEDS) as (keyof typeof SEEDS)[];
const params = (algorithm: keyof typeof SEEDS): TotpParams => ({
  algorithm,
  digits: 8,
  periodSeconds: 30,
  t0: 0,
});
const base32 = (ascii: string) => toBase32(new TextEncoder().encode(ascii));

describe('RFC 6238 Appendix B test vectors', () => {
  it.each(ALGORITHMS)('%s: every listed time gives the listed 8-digit code', async (algorithm) => {
    const secret = base32(SEEDS[algorithm]);
    for (const [seconds, codes] of VECTORS) {
      expect(await totpCode(secret, params(algorithm), seconds * 1000)).toBe(codes[algorithm]);
      expect(
        await matchTotpStep(secret, params(algorithm), codes[algorithm], { atMs: seconds * 1000 }),
      ).toBe(Math.floor(seconds / 30));
    }
  });

  it.each(ALGORITHMS)(
    '%s: a user enrolled with the seed signs in with each listed code',
    async (algorithm) => {
      const { auth, clock, rt, signUp } = await setup2fa();
      const userId = await signUp('rfc@example.com');
      const encryptedSecret = await encryptTotpSecret(rt, base32(SEEDS[algorithm]));
      await auth.storage.users.update(userId, {
        totp: { encryptedSecret, ...params(algorithm) },
        updatedAt: clock.now(),
      });
      for (const [seconds, codes] of VECTORS) {
        clock.set(seconds * 1000);
        const login = await auth.login(
          { identifier: 'rfc@example.com', password: 'violet tangerine orbit' },
          CTX,
        );
        if (login.status !== 'two_factor_required') fail('expected a challenge');
        const result = await auth.verifySecondFactor(
          { challenge: login.challenge, method: 'totp', code: codes[algorithm] },
          CTX,
        );
        expect(result.session.amr).toEqual(['pwd', 'otp']);
        expect((await auth.storage.users.getById(userId))?.totp?.lastUsedStep).toBe(
          Math.floor(seconds / 30),
        );
      }
    },
  );
});

/** oathtool's code for a Base32 secret at an epoch-ms time (GNU date `@seconds`). */
const oathtool = (
  secret: string,
  atMs: number,
  options: { algorithm?: keyof typeof SEEDS; digits?: number } = {},
) =>
  execFileSync(
    'oathtool',
    [
      `--totp=${options.algorithm ?? 'sha1'}`,
      `--digits=${options.digits ?? 6}`,
      '-b',
      '-N',
      `@${Math.floor(atMs / 1000)}`,
      secret,
    ],
    { encoding: 'utf8' },
  ).trim();

describe('interoperability with oathtool (OATH Toolkit)', () => {
  it('codes oathtool computes for an enrolled secret sign the user in', async () => {
    const { auth, clock, enabledUser, challenge } = await setup2fa();
    const { secret } = await enabledUser();
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      const { challenge: token } = await challenge();
      const code = oathtool(secret, clock.now());
      const result = await auth.verifySecondFactor({ challenge: token, method: 'totp', code }, CTX);
      expect(result.status).toBe('signed_in');
    }
  });

  it('oathtool also reads the utc-time form of --now', async () => {
    const { enabledUser, clock, code } = await setup2fa();
    const { secret } = await enabledUser();
    const iso = new Date(clock.now())
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC');
    const fromOath = execFileSync('oathtool', ['--totp', '-b', '--now', iso, secret], {
      encoding: 'utf8',
    }).trim();
    expect(fromOath).toBe(await code(secret));
  });

  it('our codes equal oathtool’s for new secrets, across times and algorithms', async () => {
    const { enabledUser, storedSecret, code, clock } = await setup2fa();
    const { userId, secret } = await enabledUser();
    expect(await storedSecret(userId)).toBe(secret);
    expect(await code(secret)).toBe(oathtool(secret, clock.now()));
    for (const atMs of [0, 59_000, Date.UTC(2026, 0, 1), Date.UTC(2038, 0, 19, 3, 14, 8)]) {
      expect(await totpCode(secret, params('sha1'), atMs)).toBe(
        oathtool(secret, atMs, { digits: 8 }),
      );
      for (const algorithm of ALGORITHMS) {
        const seed = base32(SEEDS[algorithm]);
        expect(await totpCode(seed, params(algorithm), atMs)).toBe(
          oathtool(seed, atMs, { algorithm, digits: 8 }),
        );
      }
    }
  });
});
