// The Mann–Whitney U test (Wilcoxon rank-sum) with the normal approximation, for comparing two
// samples of answer times without assuming a distribution. Run this file to self-check it:
//   node tests/timing/mann-whitney.mjs

/**
 * Compares samples `a` and `b`.
 * - `u`: pairs (x from a, y from b) with x > y, ties counting one half (U of `a`).
 * - `z`: (u − n1·n2/2) / σ, σ corrected for ties; positive when `a` tends to be larger.
 * - `p`: two-sided, from the normal approximation (good from about 20 per side).
 * - `auc`: u / (n1·n2), the chance that a random x from a exceeds a random y from b
 *   (0.5: indistinguishable; 0 or 1: always told apart).
 * @param {readonly number[]} a
 * @param {readonly number[]} b
 * @returns {{ u: number, z: number, p: number, auc: number }}
 */
export function mannWhitney(a, b) {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitney: both samples need values');
  const all = [...a.map((x) => ({ x, first: true })), ...b.map((x) => ({ x, first: false }))];
  all.sort((p, q) => p.x - q.x);
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0; // Σ (t³ − t) over groups of t equal values
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].x === all[i].x) j++;
    const rank = (i + j + 2) / 2; // ranks are 1-based; equal values share their mean rank
    for (let k = i; k <= j; k++) if (all[k].first) rankSumA += rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const z = variance > 0 ? (u - mean) / Math.sqrt(variance) : 0;
  const p = Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  return { u, z, p, auc: u / (n1 * n2) };
}

/** Φ(x), the standard normal distribution function (erfc of Numerical Recipes, |ε| < 1.2e-7). */
export function normalCdf(x) {
  return 1 - 0.5 * erfc(x / Math.SQRT2);
}

function erfc(x) {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Throws unless the test agrees with textbook values and with counting pairs one by one. */
export function selfCheck() {
  const near = (actual, expected, tolerance, what) => {
    if (Math.abs(actual - expected) > tolerance) {
      throw new Error(`mannWhitney self-check: ${what} is ${actual}, expected ${expected}`);
    }
  };
  // Wikipedia's tortoise and hare: finishing order T H H H H H T T T T T H, so U(H) = 11 and
  // U(T) = 25; with no ties σ = √39 and z = 7/√39 = 1.1209, p = 0.2623.
  const tortoise = [1, 7, 8, 9, 10, 11];
  const hare = [2, 3, 4, 5, 6, 12];
  const t = mannWhitney(tortoise, hare);
  near(t.u, 25, 0, 'U(tortoise)');
  near(mannWhitney(hare, tortoise).u, 11, 0, 'U(hare)');
  near(t.z, 7 / Math.sqrt(39), 1e-9, 'z');
  near(t.p, 0.2623, 5e-4, 'p');
  near(t.auc, 25 / 36, 1e-12, 'AUC');
  near(normalCdf(1.959964), 0.975, 1e-6, 'Φ(1.96)');
  // With ties: U from ranks equals U from counting pairs.
  const a = [1, 2, 2, 3, 5, 5, 5, 8];
  const b = [2, 3, 3, 4, 5, 9, 9];
  let pairs = 0;
  for (const x of a) for (const y of b) pairs += x > y ? 1 : x === y ? 0.5 : 0;
  near(mannWhitney(a, b).u, pairs, 1e-9, 'U with ties');
  near(mannWhitney([4, 4], [4, 4]).p, 1, 0, 'p of identical samples');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  selfCheck();
  console.log('mann-whitney: self-check passed');
}
