// pnpm bench (or node bench/legacy-timing.mjs after a build): issue 15, "Legacy hashes".
// 1. Failed sign-ins, unknown account vs an account holding a Django pbkdf2_sha256 hash, with
//    and without `password.legacyHashes`: interleaved pairs in random order, Mann–Whitney U
//    (tie-corrected z, two-sided p) and AUC = U / (n1·n2), the chance that one request of the
//    legacy account takes longer than one of the unknown account (0.5: indistinguishable).
// 2. An argon2id sign-in's latency while 8 legacy checks are queued.
// BENCH_ITERATIONS (default 100,000, not Django's 1,000,000: 400 samples would take minutes)
// and BENCH_SAMPLES (per side, default 200) scale it.
import { pbkdf2Sync, randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createAuth, memoryMailer, memoryStorage } from '../dist/index.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, error below 1.5e-7). */
function normalCdf(z) {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Mann–Whitney U of `a` against `b`: U counts pairs where a > b (ties half). */
export function mannWhitney(a, b) {
  const n1 = a.length;
  const n2 = b.length;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort(
    (x, y) => x.v - y.v,
  );
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const rank = (i + j + 2) / 2; // mean of ranks i+1 … j+1
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k].g === 0) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sd === 0 ? 0 : (u - mean) / sd;
  return { u, z, p: 2 * (1 - normalCdf(Math.abs(z))), auc: u / (n1 * n2) };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};

function djangoPbkdf2(password, iterations) {
  const salt = 'benchsalt0123456789abc';
  const hash = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64');
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

async function makeAuth(password) {
  const storage = memoryStorage();
  const auth = createAuth({
    storage,
    mailer: memoryMailer({ appUrl: 'https://app.example.com' }),
    appUrl: 'https://app.example.com',
    secret: 'bench-secret-0123456789abcdef0123456789',
    logger: silent,
    // The bench measures hashing, not the throttle.
    rateLimits: { loginPerAccount: false, loginPerIp: false },
    password,
  });
  const add = async (email, passwordHash) =>
    storage.users.create({
      id: email,
      email,
      emailNormalized: email,
      emailVerifiedAt: 0,
      passwordHash,
      metadata: {},
      disabled: false,
      credentialGeneration: 0,
      createdAt: 0,
      updatedAt: 0,
    });
  await add('legacy@example.com', djangoPbkdf2('the right one', ITERATIONS));
  await add('argon2@example.com', await auth.hashPassword('the right one'));
  return auth;
}

async function timeLogin(auth, identifier) {
  const t = performance.now();
  await auth.login({ identifier, password: 'a wrong password' }).catch((e) => {
    if (e?.code !== 'INVALID_CREDENTIALS') throw e;
  });
  return performance.now() - t;
}

async function compare(label, password) {
  const auth = await makeAuth(password);
  for (let i = 0; i < 5; i++) {
    await timeLogin(auth, 'nobody@example.com');
    await timeLogin(auth, 'legacy@example.com');
  }
  const unknown = [];
  const legacy = [];
  for (let i = 0; i < SAMPLES; i++) {
    // ABAB, each pair in random order: drift hits both sides alike.
    if (randomInt(2) === 0) {
      unknown.push(await timeLogin(auth, 'nobody@example.com'));
      legacy.push(await timeLogin(auth, 'legacy@example.com'));
    } else {
      legacy.push(await timeLogin(auth, 'legacy@example.com'));
      unknown.push(await timeLogin(auth, 'nobody@example.com'));
    }
  }
  const argon2 = [];
  for (let i = 0; i < Math.min(SAMPLES, 50); i++)
    argon2.push(await timeLogin(auth, 'argon2@example.com'));
  const mw = mannWhitney(legacy, unknown);
  return {
    config: label,
    'median unknown ms': +median(unknown).toFixed(1),
    'median legacy ms': +median(legacy).toFixed(1),
    'median argon2 ms': +median(argon2).toFixed(1),
    U: mw.u,
    z: +mw.z.toFixed(2),
    p: mw.p < 1e-6 ? mw.p.toExponential(1) : +mw.p.toFixed(3),
    AUC: +mw.auc.toFixed(3),
  };
}

async function underLegacyLoad(label, password) {
  const auth = await makeAuth(password);
  await timeLogin(auth, 'argon2@example.com');
  await timeLogin(auth, 'legacy@example.com');
  const idle = [];
  for (let i = 0; i < 10; i++) idle.push(await timeLogin(auth, 'argon2@example.com'));
  const loaded = [];
  let refused = 0;
  for (let round = 0; round < 5; round++) {
    const queued = Array.from({ length: 8 }, () =>
      auth.login({ identifier: 'legacy@example.com', password: 'wrong' }).catch((e) => e.code),
    );
    loaded.push(await timeLogin(auth, 'argon2@example.com'));
    const codes = await Promise.all(queued);
    if (round === 0) refused = codes.filter((c) => c === 'RATE_LIMITED').length;
  }
  return {
    config: label,
    'argon2 idle median ms': +median(idle).toFixed(1),
    'argon2 with 8 legacy queued, median ms': +median(loaded).toFixed(1),
    'legacy refused of 8': refused,
  };
}

console.log(
  `legacy-timing: pbkdf2_sha256 at ${ITERATIONS} iterations, ${SAMPLES} samples per side, ${availableParallelism()} cores, Node ${process.version}`,
);
const costs = { legacyHashes: { pbkdf2: { iterations: ITERATIONS } } };
console.table([await compare('legacyHashes unset', {}), await compare('legacyHashes set', costs)]);
console.table([
  await underLegacyLoad('legacyHashes unset', {}),
  await underLegacyLoad('legacyHashes set', costs),
]);
process.exit(0);
