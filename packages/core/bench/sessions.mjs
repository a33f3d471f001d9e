// pnpm bench: validateSession (cookie strategy) operations per second on memoryStorage.
import { performance } from 'node:perf_hooks';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '../dist/index.js';
import { createPasswordHasher } from '../dist/password.js';

const N = Number(process.env.BENCH_SESSIONS ?? 200_000);
const hasher = await createPasswordHasher({
  backend: 'inline',
  params: { memoryKiB: 1024, iterations: 1 },
});
const auth = createAuth({
  storage: memoryStorage(),
  mailer: memoryMailer(),
  appUrl: 'http://localhost:3000',
  secret: 'bench-secret-bench-secret-bench-secret',
  logger: silentLogger,
  emailVerification: { required: false },
  password: { hasher },
});
await auth.register({ email: 'bench@example.com', password: 'violet tangerine orbit' });
const login = await auth.login({
  identifier: 'bench@example.com',
  password: 'violet tangerine orbit',
});
const token = login.tokens.sessionToken;

async function opsPerSecond(label, fn) {
  for (let i = 0; i < 20_000; i++) await fn(); // warm-up (JIT)
  const t = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const seconds = (performance.now() - t) / 1000;
  return {
    operation: label,
    'ops/s': Math.round(N / seconds),
    'µs/op': +((seconds * 1e6) / N).toFixed(2),
  };
}

const rows = [
  await opsPerSecond('validateSession (valid token)', () => auth.validateSession(token)),
  await opsPerSecond('validateSession (wrong secret)', () =>
    auth.validateSession(`${token.slice(0, 23)}${'A'.repeat(43)}`).catch(() => undefined),
  ),
];
console.log(`validateSession on memoryStorage, ${N} sequential calls; Node ${process.version}`);
console.table(rows);
await auth.close();
