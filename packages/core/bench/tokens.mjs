// pnpm bench: verifyAccessToken (HS256, no session check) operations per second on
// memoryStorage, cold (every token new to the cache) and hot (one token repeated), against
// jose.jwtVerify on the same tokens. Build first: `npx tsup` (pnpm bench does).
import { performance } from 'node:perf_hooks';
import { jwtVerify } from 'jose';
import { Keyring } from '../dist/crypto.js';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '../dist/index.js';
import { createPasswordHasher } from '../dist/password.js';

const N = Number(process.env.BENCH_TOKENS ?? 200_000);
// More distinct tokens than the verification cache holds (10,000), visited in order, so a
// first-in-first-out cache never has the next one: every cold call verifies from scratch.
const DISTINCT = 20_000;
const SECRET = 'bench-secret-bench-secret-bench-secret';
const ORIGIN = 'http://localhost:3000';

const hasher = await createPasswordHasher({
  backend: 'inline',
  params: { memoryKiB: 1024, iterations: 1 },
});
const auth = createAuth({
  storage: memoryStorage(),
  mailer: memoryMailer(),
  appUrl: ORIGIN,
  secret: SECRET,
  logger: silentLogger,
  emailVerification: { required: false },
  password: { hasher },
  session: { strategy: 'jwt' },
});
// Distinct tokens: 20 sessions, each refreshed 1,000 times (every refresh issues a new jti).
const tokens = [];
for (let s = 0; tokens.length < DISTINCT; s++) {
  const email = `bench${s}@example.com`;
  await auth.register({ email, password: 'violet tangerine orbit' });
  const login = await auth.login({ identifier: email, password: 'violet tangerine orbit' });
  if (login.status !== 'signed_in' || login.tokens.strategy !== 'jwt') throw new Error('no jwt');
  tokens.push(login.tokens.accessToken);
  let refreshToken = login.tokens.refreshToken;
  for (let i = 1; i < 1_000 && tokens.length < DISTINCT; i++) {
    const next = await auth.refresh(refreshToken);
    tokens.push(next.accessToken);
    refreshToken = next.refreshToken;
  }
}
const hot = tokens[0];
const key = new Keyring([SECRET]).deriveKey('jwt-hs256');
const joseOptions = { algorithms: ['HS256'], typ: 'at+jwt', issuer: ORIGIN, audience: ORIGIN };

async function opsPerSecond(label, fn, n = N) {
  for (let i = 0; i < Math.min(20_000, n); i++) await fn(i); // warm-up (JIT)
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const seconds = (performance.now() - t) / 1000;
  return {
    operation: label,
    'ops/s': Math.round(n / seconds),
    'µs/op': +((seconds * 1e6) / n).toFixed(2),
  };
}

const rows = [
  await opsPerSecond('verifyAccessToken, cold (distinct tokens)', (i) =>
    auth.verifyAccessToken(tokens[i % DISTINCT]),
  ),
  await opsPerSecond('verifyAccessToken, hot (one token repeated)', () =>
    auth.verifyAccessToken(hot),
  ),
  await opsPerSecond('verifyAccessToken, bad signature', () =>
    auth.verifyAccessToken(`${hot.slice(0, -4)}AAAA`).catch(() => undefined),
  ),
  await opsPerSecond(
    'jose.jwtVerify (same checks, Web Crypto)',
    (i) => jwtVerify(tokens[i % DISTINCT], key, joseOptions),
    Math.min(N, 50_000),
  ),
];
const jose = rows[3]['ops/s'];
for (const row of rows) row['× jose'] = +(row['ops/s'] / jose).toFixed(1);
console.log(`verifyAccessToken (HS256, no checkSession) on memoryStorage; Node ${process.version}`);
console.table(rows);
await auth.close();
