/**
 * Issue 15: with `password.legacyHashes`, a failed sign-in spends the same work for an unknown
 * account, an argon2id account and a legacy (PBKDF2, scrypt, bcrypt) account: the same
 * primitives at the same costs, PBKDF2 iterations summing to the configured count. Counted at
 * the hasher and its KDF, not timed (timing figures: docs/security.md, "Legacy hashes: equal
 * time").
 */
import { pbkdf2Sync, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/index.js';
import type { PasswordHasher } from '../../src/password/hasher.js';
import type { LegacyHashCosts } from '../../src/password/legacy-costs.js';
import { cheapHasher, setup } from '../flows/helpers.js';
import { addUser } from './legacy-helpers.js';

interface Work {
  argon2: number;
  pbkdf2Iterations: number;
  scrypt: string[];
  bcrypt: string[];
}

/** The cheap argon2id hasher, recording each verification and each KDF run with its cost. */
async function countingKdfHasher() {
  const inner = await cheapHasher();
  let work: Work = { argon2: 0, pbkdf2Iterations: 0, scrypt: [], bcrypt: [] };
  const hasher: PasswordHasher = {
    ...inner,
    backend: inner.backend,
    verify: (password, phc) => {
      work.argon2++;
      return inner.verify(password, phc);
    },
    kdf: {
      ...inner.kdf,
      pbkdf2: (o) => {
        work.pbkdf2Iterations += o.iterations;
        return inner.kdf.pbkdf2(o);
      },
      scrypt: (o) => {
        work.scrypt.push(`N=${o.costFactor},r=${o.blockSize},p=${o.parallelism}`);
        return inner.kdf.scrypt(o);
      },
      bcryptVerify: (password, hash) => {
        work.bcrypt.push(hash.slice(0, 7));
        return inner.kdf.bcryptVerify(password, hash);
      },
    },
  };
  const take = () => {
    const taken = work;
    work = { argon2: 0, pbkdf2Iterations: 0, scrypt: [], bcrypt: [] };
    return taken;
  };
  return { hasher, take };
}

const django = {
  pbkdf2: (iterations: number) =>
    `pbkdf2_sha256$${iterations}$salt${iterations}$${pbkdf2Sync('right', `salt${iterations}`, iterations, 32, 'sha256').toString('base64')}`,
  scrypt: (n: number, r: number, p: number) =>
    `scrypt$${n}$somesalt$${r}$${p}$${scryptSync('right', 'somesalt', 64, { N: n, r, p }).toString('base64')}`,
};
// bcrypt cost 4 of "correct horse battery staple" (htpasswd), from fixtures/legacy-vectors.json.
const BCRYPT4 = '$2y$04$dx8lLNePJweIkV0vkzwo0.VXcLuWU5WJQsfn5k1f0WhNlAz9Ekdsq'.replace(
  '$05$',
  '$04$',
);

async function scenario(password: Partial<AuthConfig['password']> = {}) {
  const { hasher, take } = await countingKdfHasher();
  const { auth, storage, logs } = await setup({ password: { hasher, ...password } });
  const accounts: Record<string, string> = {};
  const add = async (name: string, stored: string) => {
    await addUser(storage, `${name}@example.com`, stored);
    accounts[name] = `${name}@example.com`;
  };
  await add('argon2', await hasher.hash('right'));
  take();
  /** The work of one failed sign-in as `who`. */
  const failedSignIn = async (who: string, guess = 'a wrong guess') => {
    await expect(
      auth.login({ identifier: accounts[who] ?? `${who}@example.com`, password: guess }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    return take();
  };
  return { add, failedSignIn, logs };
}

describe('equal work with legacyHashes: unknown, argon2id and legacy accounts', () => {
  it('PBKDF2 only (the Django case): an older hash is padded up to the configured iterations', async () => {
    const { add, failedSignIn } = await scenario({
      legacyHashes: { pbkdf2: { iterations: 1000 } },
    });
    await add('current', django.pbkdf2(1000));
    await add('older', django.pbkdf2(600));
    const expected: Work = { argon2: 1, pbkdf2Iterations: 1000, scrypt: [], bcrypt: [] };
    expect({
      unknown: await failedSignIn('nobody'),
      argon2: await failedSignIn('argon2'),
      current: await failedSignIn('current'),
      older: await failedSignIn('older'),
    }).toEqual({ unknown: expected, argon2: expected, current: expected, older: expected });
  });

  it('PBKDF2, scrypt and bcrypt configured: every account runs each once at the configured cost', async () => {
    const costs: LegacyHashCosts = {
      pbkdf2: { iterations: 1000 },
      scrypt: { cost: 16, blockSize: 8, parallelism: 1 },
      bcrypt: { cost: 4 },
    };
    const { add, failedSignIn } = await scenario({ legacyHashes: costs });
    await add('pbkdf2', django.pbkdf2(1000));
    await add('scrypt', django.scrypt(16, 8, 1));
    await add('bcrypt', BCRYPT4);
    const work = {
      unknown: await failedSignIn('nobody'),
      argon2: await failedSignIn('argon2'),
      pbkdf2: await failedSignIn('pbkdf2'),
      scrypt: await failedSignIn('scrypt'),
      bcrypt: await failedSignIn('bcrypt'),
    };
    const expected: Work = {
      argon2: 1,
      pbkdf2Iterations: 1000,
      scrypt: ['N=16,r=8,p=1'],
      bcrypt: ['$2b$04$'],
    };
    for (const [account, spent] of Object.entries(work)) {
      // bcrypt: the real check runs on the stored hash's own prefix ($2y$), the dummy on $2b$.
      expect({
        account,
        ...spent,
        bcrypt: spent.bcrypt.map((p) => p.replace('$2y$', '$2b$')),
      }).toEqual({
        account,
        ...expected,
      });
    }
  });

  it('a password that NFKC changes costs two argon2id runs for every account alike', async () => {
    const { add, failedSignIn } = await scenario({
      legacyHashes: { pbkdf2: { iterations: 1000 } },
    });
    await add('legacy', django.pbkdf2(1000));
    const expected: Work = { argon2: 2, pbkdf2Iterations: 1000, scrypt: [], bcrypt: [] };
    expect({
      unknown: await failedSignIn('nobody', 'ﬁne wrong guess'),
      argon2: await failedSignIn('argon2', 'ﬁne wrong guess'),
      legacy: await failedSignIn('legacy', 'ﬁne wrong guess'),
    }).toEqual({ unknown: expected, argon2: expected, legacy: expected });
  });
});

describe('the warning when answer times reveal legacy hashes', () => {
  const warnings = (logs: string[]) =>
    logs.filter((l) => l.startsWith('warn') && l.includes('legacy'));

  it('without legacyHashes: one warning at the first legacy verification, none before, no repeat', async () => {
    const { add, failedSignIn, logs } = await scenario();
    await add('legacy', django.pbkdf2(1000));
    // The work stays as before for argon2id and unknown accounts: argon2id only.
    const before: Work = { argon2: 1, pbkdf2Iterations: 0, scrypt: [], bcrypt: [] };
    expect(await failedSignIn('argon2')).toEqual(before);
    expect(await failedSignIn('nobody')).toEqual(before);
    expect(warnings(logs)).toEqual([]);
    await failedSignIn('legacy');
    await failedSignIn('legacy');
    expect(warnings(logs)).toHaveLength(1);
    expect(warnings(logs)[0]).toContain('without password.legacyHashes');
    expect(warnings(logs)[0]).toContain('django_pbkdf2_sha256');
  });

  it('with legacyHashes covering the hash: no warning; a hash costlier than configured: one', async () => {
    const { add, failedSignIn, logs } = await scenario({
      legacyHashes: { pbkdf2: { iterations: 1000 } },
    });
    await add('covered', django.pbkdf2(1000));
    await add('costlier', django.pbkdf2(2000));
    await failedSignIn('covered');
    expect(warnings(logs)).toEqual([]);
    await failedSignIn('costlier');
    expect(warnings(logs)).toHaveLength(1);
  });
});
