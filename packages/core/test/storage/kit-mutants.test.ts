import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { conformanceChecks } from '../../src/testing/conformance/index.js';
import { ACCOUNT_MUTANTS } from './mutants/accounts.js';
import { AUDIT_MUTANTS } from './mutants/audit.js';
import { withLookupCache } from './mutants/lookup-cache.js';
import { OTHER_MUTANTS } from './mutants/others.js';
import { PASSKEY_MUTANTS } from './mutants/passkeys.js';
import { SESSION_WITH_USER_MUTANTS } from './mutants/session-with-user.js';
import { SESSION_MUTANTS } from './mutants/sessions.js';
import { TWO_FACTOR_MUTANTS } from './mutants/two-factor.js';
import { USER_MUTANTS } from './mutants/users.js';
import { USER_LIST_MUTANTS } from './mutants/users-list.js';

// The kit must fail on each storage below, each broken in one way: if a change to the kit lets
// one of these pass, the kit has lost a check that integrators' adapters rely on.
const CHECKS = conformanceChecks();
const MUTANTS = [
  ...USER_MUTANTS,
  ...USER_LIST_MUTANTS,
  ...ACCOUNT_MUTANTS,
  ...PASSKEY_MUTANTS,
  ...SESSION_MUTANTS,
  ...SESSION_WITH_USER_MUTANTS,
  ...TWO_FACTOR_MUTANTS,
  ...OTHER_MUTANTS,
  ...AUDIT_MUTANTS,
];
const title = (check: (typeof CHECKS)[number]) => `${check.group} > ${check.name}`;

interface Report {
  readonly failed: Map<string, unknown>;
  readonly skipped: string[];
}

/** Runs every check of the kit against `storage`, one after another. */
async function runKit(storage: Storage): Promise<Report> {
  const report: Report = { failed: new Map(), skipped: [] };
  for (const check of CHECKS) {
    try {
      const outcome = await check.run(storage);
      if (outcome.status === 'skipped') report.skipped.push(title(check));
    } catch (error) {
      report.failed.set(title(check), error);
    }
  }
  return report;
}

describe('the conformance kit', () => {
  it('passes memoryStorage, and the flawless lookup cache with sessionWithUser checked', async () => {
    const memory = await runKit(memoryStorage());
    expect([...memory.failed.keys()]).toEqual([]);
    const cached = await runKit(withLookupCache(memoryStorage()));
    expect([...cached.failed.keys()]).toEqual([]);
    expect(cached.skipped).toEqual([]);
  });

  it('names each check the mutants rely on exactly once', () => {
    for (const part of new Set(MUTANTS.flatMap((m) => m.caughtBy))) {
      expect(CHECKS.filter((c) => title(c).includes(part)).map(title), part).toHaveLength(1);
    }
  });

  for (const m of MUTANTS) {
    it(`catches: ${m.name}`, async () => {
      const { failed } = await runKit(m.make());
      const names = [...failed.keys()];
      expect(names.length).toBeGreaterThan(0);
      for (const part of m.caughtBy) {
        expect(
          names.some((n) => n.includes(part)),
          `${part} should fail; failed: ${names.join(' | ')}`,
        ).toBe(true);
      }
    });
  }
});
