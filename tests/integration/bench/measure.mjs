// What the storage benchmarks (storage.mjs, scale.mjs) share: how they time calls, take
// medians, wait for a registration and clear their Redis keys.
import { performance } from 'node:perf_hooks';

/** `c` callers running `fn` for `seconds`; ops/s and latency percentiles in µs. */
export async function measure(fn, c, seconds) {
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await fn();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { ops: latencies.length / elapsed, p50: at(0.5) * 1000, p99: at(0.99) * 1000 };
}

/**
 * Sequential (c = 1) rows, interleaved: one call of each row in turn, every call timed, for
 * `seconds` per row. Each row then sees the same moments of the machine (a noisy second hits
 * all rows alike), which the tail (p99) of a one-at-a-time run needs. ops/s is calls per second
 * of that row's own time.
 */
export async function measureInterleaved(rows, seconds) {
  const latencies = rows.map(() => []);
  const spent = rows.map(() => 0);
  const end = performance.now() + seconds * rows.length * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < rows.length; i += 1) {
      const t = performance.now();
      await rows[i].fn();
      const took = performance.now() - t;
      latencies[i].push(took);
      spent[i] += took;
    }
  }
  return latencies.map((l, i) => {
    l.sort((x, y) => x - y);
    const at = (q) => l[Math.min(l.length - 1, Math.floor(q * l.length))];
    return { ops: l.length / (spent[i] / 1000), p50: at(0.5) * 1000, p99: at(0.99) * 1000 };
  });
}

/** The median of `values` (the upper one of an even count). */
export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The user `email` once `register` has stored it: the account is written in the background,
 * after the answer (enumeration safety), so it is waited for, at most 5 s.
 */
export async function registered(storage, email) {
  const until = performance.now() + 5000;
  for (;;) {
    const user = await storage.users.getByEmail(email);
    if (user !== undefined) return user;
    if (performance.now() > until) throw new Error(`register: ${email} was never stored`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
