// Listed in the root vitest.config.ts `setupFiles`, for every project. Flows answer before
// their known-account work (token writes, audit rows, mail) is done (issue 15), but many suites
// read the inbox right after a call. Until they wait for it (`memoryMailer.waitFor`,
// `settleBackgroundWork`), that work runs inline in tests; the tests of the background itself
// (packages/core/test/account/background-work.test.ts) switch it off.
// The module itself, not the testing index: importing all of core here would load the hasher
// before a suite can mock its optional native backend (test/password/hasher-fallback.test.ts).
import { setBackgroundInline } from '../../src/flows/background.js';

setBackgroundInline(true);
