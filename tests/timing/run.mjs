// Answer times of the routes that must not tell a known address from an unknown one, measured
// in process on core's HTTP handler over memory storage, and compared with a Mann–Whitney rank
// test (docs/security.md, "Equal work: measured"):
//
//   pnpm --filter @portcullis-tests/timing run timing
//   TIMING_SAMPLES=400 TIMING_ONLY=reset,login pnpm --filter @portcullis-tests/timing run timing
//
// Imports core's source (`--conditions=source` with tsx), so no build is needed. For each case
// the A and B requests run interleaved in a random order (a shuffled list with as many of each),
// after a warm-up, one at a time; each sample is the time until the handler's Response is ready,
// and the background work of one request drains before the next starts. Rate limits are raised
// (not switched off: their store round trips are part of the work being compared). The hasher
// is argon2id at small parameters (m = 1024 KiB, t = 1): enough to see an extra hash.
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  createAuth,
  DEFAULT_RATE_LIMITS,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '@portcullis/core';
import { createHttpHandler } from '@portcullis/core/http';
import { createPasswordHasher } from '@portcullis/core/password';
import { mannWhitney, selfCheck } from './mann-whitney.mjs';

const SAMPLES = Number(process.env.TIMING_SAMPLES ?? 250);
const WARM_UP = Number(process.env.TIMING_WARM_UP ?? 30);
const ONLY = process.env.TIMING_ONLY?.split(',');
const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'violet tangerine orbit';
// NFKC turns the ligature into "fi": the hash is of the normalized form.
const FI_PASSWORD = 'ﬁne copper lantern meadow';
const WRONG_FI_PASSWORD = 'ﬁre copper lantern meadow';

selfCheck();

const mailer = memoryMailer({ appUrl: ORIGIN });
const rateLimits = Object.fromEntries(
  Object.entries(DEFAULT_RATE_LIMITS).map(([name, rule]) => [name, { ...rule, limit: 1e9 }]),
);
const auth = createAuth({
  storage: memoryStorage(),
  mailer,
  appUrl: ORIGIN,
  secret: 'timing-secret-timing-secret-timing-secret',
  logger: silentLogger,
  rateLimits,
  password: {
    hasher: await createPasswordHasher({
      backend: 'inline',
      params: { memoryKiB: 1024, iterations: 1 },
    }),
  },
});
const handler = createHttpHandler(auth);

const request = (path, body) =>
  new Request(`${ORIGIN}/api/auth${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const send = (path, body) => handler(request(path, body), { remoteAddress: '127.0.0.1' });
/** Lets background work (mail, tokens, audit) of the previous request finish. */
const drain = () => new Promise((resolve) => setTimeout(resolve, 0));

async function registered(email, { verified, password = PASSWORD }) {
  const res = await send('/register', { email, password });
  if (res.status !== 202) throw new Error(`register ${email}: ${res.status}`);
  if (!verified) return;
  const token = mailer.extractToken(await mailer.waitFor(email, 'verify-email'));
  const ok = await send('/email/verify', { token });
  if (ok.status !== 200) throw new Error(`verify ${email}: ${ok.status}`);
}

await registered('known@example.com', { verified: true });
await registered('unverified@example.com', { verified: false });
await registered('ligature@example.com', { verified: true, password: FI_PASSWORD });

let fresh = 0;
const CASES = [
  {
    name: 'reset',
    label: 'POST /password/reset: known vs unknown address',
    a: () => request('/password/reset', { email: 'known@example.com' }),
    b: () => request('/password/reset', { email: 'nobody@example.com' }),
  },
  {
    name: 'resend',
    label: 'POST /email/verify/resend: known unverified vs unknown',
    a: () => request('/email/verify/resend', { email: 'unverified@example.com' }),
    b: () => request('/email/verify/resend', { email: 'nobody@example.com' }),
  },
  {
    name: 'register',
    label: 'POST /register: new vs existing address',
    a: () => request('/register', { email: `new-${++fresh}@example.com`, password: PASSWORD }),
    b: () => request('/register', { email: 'known@example.com', password: PASSWORD }),
  },
  {
    name: 'login',
    label: 'POST /login, wrong password with "ﬁ": known vs unknown account',
    a: () => request('/login', { identifier: 'ligature@example.com', password: WRONG_FI_PASSWORD }),
    b: () => request('/login', { identifier: 'nobody@example.com', password: WRONG_FI_PASSWORD }),
  },
];

/** One timed answer: from the handler call to its Response, request built beforehand. */
async function sample(make) {
  const req = make();
  const start = performance.now();
  const res = await handler(req, { remoteAddress: '127.0.0.1' });
  const ms = performance.now() - start;
  await res.arrayBuffer();
  await drain();
  return { ms, status: res.status };
}

/** `n` of each side in a random order (Fisher–Yates over a crypto-random source). */
function interleaved(n) {
  const order = [...Array(n).fill('a'), ...Array(n).fill('b')];
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const rows = [];
for (const c of CASES) {
  if (ONLY && !ONLY.includes(c.name)) continue;
  for (let i = 0; i < WARM_UP; i++) {
    await sample(c.a);
    await sample(c.b);
  }
  const times = { a: [], b: [] };
  const statuses = { a: new Set(), b: new Set() };
  for (const side of interleaved(SAMPLES)) {
    const { ms, status } = await sample(c[side]);
    times[side].push(ms);
    statuses[side].add(status);
  }
  const { auc, p } = mannWhitney(times.a, times.b);
  rows.push({
    case: c.label,
    n: SAMPLES,
    status: `${[...statuses.a].join('/')} ${[...statuses.b].join('/')}`,
    'median A (ms)': median(times.a).toFixed(3),
    'median B (ms)': median(times.b).toFixed(3),
    AUC: auc.toFixed(3),
    p: p === 0 ? '< 1e-16' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4),
  });
}

console.log(
  `Node ${process.version}, ${SAMPLES} samples per side, interleaved; warm-up ${WARM_UP}`,
);
console.log('| case | n per side | status A B | median A (ms) | median B (ms) | AUC | p |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.case} | ${r.n} | ${r.status} | ${r['median A (ms)']} | ${r['median B (ms)']} | ${r.AUC} | ${r.p} |`,
  );
}
await auth.close();
