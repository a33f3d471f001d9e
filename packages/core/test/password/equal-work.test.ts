/**
 * Equal work for known and unknown accounts (issue 15): a password that NFKC changes (`ﬁ`, a
 * full-width letter) costs as many argon2id runs for an unknown account as a wrong one for a
 * known account. Counted, not timed: the timing figures are in docs/security.md.
 */
import { describe, expect, it } from 'vitest';
import { countingHasher, setup } from '../flows/helpers.js';

/** Argon2id runs spent by one failed sign-in. */
async function runsOf(identifier: string, password: string) {
  const { hasher, verified } = await countingHasher();
  const { auth, signUp } = await setup({ password: { hasher } });
  await signUp('ada@example.com');
  const before = verified();
  await auth.login({ identifier, password }).catch(() => {});
  return verified() - before;
}

describe('argon2id runs per failed sign-in, known account vs unknown', () => {
  for (const password of [
    'plain wrong password',
    'ﬁne wrong password',
    'ｆｕｌｌ-width wrong',
    'e\u0301 combining wrong',
  ]) {
    it(`${JSON.stringify(password)}: the same for both`, async () => {
      const known = await runsOf('ada@example.com', password);
      const unknown = await runsOf('nobody@example.com', password);
      expect({ known, unknown }).toEqual({ known, unknown: known });
      expect(known).toBeGreaterThanOrEqual(1);
    });
  }
});
