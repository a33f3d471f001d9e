// pnpm bench: argon2id cost per backend, at the default parameters (m = 19456 KiB, t = 2, p = 1).
// Figures: ms per hash (sequential), wall time for 40 concurrent hashes, and the main thread's
// event-loop delay p99 while those 40 run (perf_hooks.monitorEventLoopDelay, 1 ms resolution).
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as nodeRs from '@node-rs/argon2';
import { createPasswordHasher, DEFAULT_ARGON2_PARAMS } from '../dist/password.js';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 8);
const NATIVE_SEQUENTIAL = Number(process.env.BENCH_NATIVE_SEQUENTIAL ?? 60);
const CONCURRENT = 40;
const WALL = `wall ms (${CONCURRENT} concurrent)`;
const p = DEFAULT_ARGON2_PARAMS;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(name, hashOne, sequential = SEQUENTIAL) {
  for (let i = 0; i < 3; i++) await hashOne(i); // warm-up: worker start, wasm compile, native load
  let t = performance.now();
  for (let i = 0; i < sequential; i++) await hashOne(i);
  const msPerHash = (performance.now() - t) / sequential;

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The histogram's first timer tick only sets its baseline: let it tick before the work, and
  // once more after it, so a loop blocked for the whole batch records its stall.
  await sleep(5);
  t = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => hashOne(i)));
  const wallMs = performance.now() - t;
  await sleep(5);
  histogram.disable();
  return {
    backend: name,
    'ms/hash': +msPerHash.toFixed(2),
    [WALL]: +wallMs.toFixed(0),
    'hashes/s (concurrent)': +((CONCURRENT * 1000) / wallMs).toFixed(1),
    'loop delay p99 ms': +(histogram.percentile(99) / 1e6).toFixed(1),
    'loop delay max ms': +(histogram.max / 1e6).toFixed(1),
  };
}

const direct = (i) =>
  nodeRs.hash(`password-${i}`, {
    algorithm: 2,
    memoryCost: p.memoryKiB,
    timeCost: p.iterations,
    parallelism: p.parallelism,
    outputLen: p.hashLength,
  });

// Native first, alternating core and direct over three rounds (the best round of each counts),
// so that neither runs on a warmer or busier machine than the other.
const native = await createPasswordHasher({ backend: 'native' });
const coreRuns = [];
const directRuns = [];
for (let round = 0; round < 3; round++) {
  directRuns.push(await measure('@node-rs/argon2 called directly', direct, NATIVE_SEQUENTIAL));
  coreRuns.push(
    await measure(
      'core native backend (@node-rs/argon2)',
      (i) => native.hash(`password-${i}`),
      NATIVE_SEQUENTIAL,
    ),
  );
}
await native.close();
const best = (runs, key) => runs.reduce((a, b) => (b[key] < a[key] ? b : a));

const rows = [];
const inline = await createPasswordHasher({ backend: 'inline' });
rows.push(await measure('hash-wasm inline (main thread)', (i) => inline.hash(`password-${i}`)));

const defaultSize = Math.max(1, availableParallelism() - 1);
const pool = await createPasswordHasher({ backend: 'pool' });
rows.push(
  await measure(`hash-wasm pool (${defaultSize} worker(s), default)`, (i) =>
    pool.hash(`password-${i}`),
  ),
);
await pool.close();

const pool2 = await createPasswordHasher({ backend: 'pool', poolSize: availableParallelism() });
rows.push(
  await measure(`hash-wasm pool (${availableParallelism()} workers)`, (i) =>
    pool2.hash(`password-${i}`),
  ),
);
await pool2.close();

const nat = best(coreRuns, 'ms/hash');
const dir = best(directRuns, 'ms/hash');
rows.push(nat, dir);

console.log(
  `argon2id m=${p.memoryKiB} KiB t=${p.iterations} p=${p.parallelism}; Node ${process.version}; ${availableParallelism()} cores`,
);
console.table(rows);
const [inl, pl] = rows;
const pct = (a, b) => `${((a / b - 1) * 100).toFixed(1)} %`;
console.log(
  `pool (default) vs inline, throughput of ${CONCURRENT} concurrent: ${(inl[WALL] / pl[WALL]).toFixed(2)}x`,
);
console.log(
  `core native vs direct, ms/hash (best of 3 rounds): ${pct(nat['ms/hash'], dir['ms/hash'])}`,
);
console.log(
  `core native vs direct, wall time of ${CONCURRENT} concurrent (best of 3 rounds): ${pct(best(coreRuns, WALL)[WALL], best(directRuns, WALL)[WALL])}`,
);
