// pnpm bench: argon2id cost per backend, at the default parameters (m = 19456 KiB, t = 2, p = 1).
// Figures: ms per hash (sequential), wall time for 40 concurrent hashes, and the main thread's
// event-loop delay p99 while those 40 run (perf_hooks.monitorEventLoopDelay, 1 ms resolution).
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as nodeRs from '@node-rs/argon2';
import { createPasswordHasher, DEFAULT_ARGON2_PARAMS } from '../dist/index.js';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 8);
const CONCURRENT = 40;
const p = DEFAULT_ARGON2_PARAMS;

async function measure(name, hashOne) {
  await hashOne(0); // warm-up: worker start, wasm compile, native load
  let t = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await hashOne(i);
  const msPerHash = (performance.now() - t) / SEQUENTIAL;

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // A timer keeps ticking so that stalls show as delay even between callbacks.
  const ticker = setInterval(() => {}, 1);
  t = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => hashOne(i)));
  const wallMs = performance.now() - t;
  clearInterval(ticker);
  histogram.disable();
  return {
    backend: name,
    'ms/hash': +msPerHash.toFixed(1),
    [`wall ms (${CONCURRENT} concurrent)`]: +wallMs.toFixed(0),
    'hashes/s (concurrent)': +((CONCURRENT * 1000) / wallMs).toFixed(1),
    'loop delay p99 ms': +(histogram.percentile(99) / 1e6).toFixed(1),
    'loop delay max ms': +(histogram.max / 1e6).toFixed(1),
  };
}

const rows = [];
const inline = await createPasswordHasher({ backend: 'inline' });
rows.push(await measure('hash-wasm inline (main thread)', (i) => inline.hash(`password-${i}`)));

const pool = await createPasswordHasher({ backend: 'pool' });
rows.push(
  await measure(
    `hash-wasm pool (${Math.max(1, availableParallelism() - 1)} worker(s), default)`,
    (i) => pool.hash(`password-${i}`),
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

const native = await createPasswordHasher({ backend: 'native' });
rows.push(
  await measure('core native backend (@node-rs/argon2)', (i) => native.hash(`password-${i}`)),
);
await native.close();

rows.push(
  await measure('@node-rs/argon2 called directly', (i) =>
    nodeRs.hash(`password-${i}`, {
      algorithm: 2,
      memoryCost: p.memoryKiB,
      timeCost: p.iterations,
      parallelism: p.parallelism,
      outputLen: p.hashLength,
    }),
  ),
);

console.log(
  `argon2id m=${p.memoryKiB} KiB t=${p.iterations} p=${p.parallelism}; Node ${process.version}; ${availableParallelism()} cores`,
);
console.table(rows);
const [inl, pl, , nat, direct] = rows;
const key = `wall ms (${CONCURRENT} concurrent)`;
console.log(`pool vs inline throughput: ${(inl[key] / pl[key]).toFixed(2)}x`);
console.log(
  `core native vs direct @node-rs/argon2 (wall time, 40 concurrent): ${((nat[key] / direct[key] - 1) * 100).toFixed(1)} %`,
);
console.log(
  `core native vs direct @node-rs/argon2 (ms/hash): ${((nat['ms/hash'] / direct['ms/hash'] - 1) * 100).toFixed(1)} %`,
);
