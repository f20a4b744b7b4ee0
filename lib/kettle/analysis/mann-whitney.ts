// The Mann–Whitney U (Wilcoxon rank-sum) test with the Hodges–Lehmann estimate
// of the shift and its confidence interval, as R's wilcox.test(x, y,
// conf.int = TRUE) computes them: the exact distribution for samples under 50
// without ties, else the normal approximation with the tie and continuity
// corrections (the interval and estimate then found by root finding, as R's
// uniroot does, to within its 1e-4). Checked against R on the committed golden
// cases (test/golden/mann-whitney.json, scripts/mann-whitney-golden.R).
import pnorm from "@stdlib/stats-base-dists-normal-cdf";
import qnorm from "@stdlib/stats-base-dists-normal-quantile";

export type MannWhitneyResult = {
  /** R's W: the rank sum of x less its least value. */
  W: number;
  pValue: number;
  /** The interval of the shift x − y at the confidence level. */
  confInt: [number, number];
  /** The Hodges–Lehmann estimate of the shift x − y. */
  estimate: number;
  exact: boolean;
};

/** Ranks, ties given their average rank (R's rank()). */
export function rank(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

const memo = new Map<string, number[]>();
/** How many arrangements of m x's among n y's give each W = 0 … m·n. */
function wilcoxCounts(m: number, n: number): number[] {
  const key = `${m},${n}`;
  const known = memo.get(key);
  if (known) return known;
  // f[j] is the distribution for (i, j); f(i, j)[k] = f(i − 1, j)[k − j] + f(i, j − 1)[k].
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const a = prev[j];
      const b = cur[j - 1];
      const f = new Array<number>(i * j + 1).fill(0);
      for (let k = 0; k < a.length; k++) f[k + j] += a[k];
      for (let k = 0; k < b.length; k++) f[k] += b[k];
      cur.push(f);
    }
    prev = cur;
  }
  const counts = m === 0 ? [1] : prev[n];
  if (memo.size > 200) memo.clear();
  memo.set(key, counts);
  return counts;
}

const total = (c: number[]) => c.reduce((a, b) => a + b, 0);
/** P(W ≤ q). */
export function pwilcox(q: number, m: number, n: number): number {
  const c = wilcoxCounts(m, n);
  let s = 0;
  for (let k = 0; k <= Math.min(Math.floor(q + 1e-7), c.length - 1); k++) s += c[k];
  return q < 0 ? 0 : s / total(c);
}
/** The smallest q with P(W ≤ q) ≥ p (R's qwilcox, lower tail). */
export function qwilcox(p: number, m: number, n: number): number {
  const c = wilcoxCounts(m, n);
  const all = total(c);
  const x = p - 10 * Number.EPSILON;
  let s = 0;
  for (let q = 0; q < c.length; q++) {
    s += c[q] / all;
    if (s >= x) return q;
  }
  return c.length - 1;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/** Where a decreasing step function f crosses 0 in [lo, hi] (to 1e-12 of the span), as uniroot finds it. */
function root(f: (d: number) => number, lo: number, hi: number): number {
  const fl = f(lo);
  const fh = f(hi);
  if (fl <= 0) return lo;
  if (fh >= 0) return hi;
  let a = lo;
  let b = hi;
  const eps = Math.max(1e-12 * (hi - lo), 1e-15);
  while (b - a > eps) {
    const mid = (a + b) / 2;
    if (f(mid) > 0) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

/** wilcox.test(x, y, conf.int = TRUE, conf.level) of R, two-sided, mu 0, correct = TRUE. */
export function mannWhitney(x: number[], y: number[], confLevel = 0.98): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  if (!nx || !ny) throw new Error("both samples need values");
  const r = rank([...x, ...y]);
  const W = r.slice(0, nx).reduce((a, b) => a + b, 0) - (nx * (nx + 1)) / 2;
  const ties = new Set(r).size !== r.length;
  const alpha = 1 - confLevel;
  if (nx < 50 && ny < 50 && !ties) {
    const p = W > (nx * ny) / 2 ? 1 - pwilcox(W - 1, nx, ny) : pwilcox(W, nx, ny);
    const diffs = x.flatMap((a) => y.map((b) => a - b)).sort((a, b) => a - b);
    let qu = qwilcox(alpha / 2, nx, ny);
    if (qu === 0) qu = 1;
    const ql = nx * ny - qu;
    return { W, pValue: Math.min(2 * p, 1), confInt: [diffs[qu - 1], diffs[ql]], estimate: median(diffs), exact: true };
  }
  const sigmaOf = (ranks: number[]) => {
    const counts = new Map<number, number>();
    for (const v of ranks) counts.set(v, (counts.get(v) ?? 0) + 1);
    const tieSum = [...counts.values()].reduce((s, t) => s + t ** 3 - t, 0);
    return Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - tieSum / ((nx + ny) * (nx + ny - 1))));
  };
  const z0 = W - (nx * ny) / 2;
  const sigma = sigmaOf(r);
  const z = (z0 - Math.sign(z0) * 0.5) / sigma;
  const pValue = Math.min(1, 2 * Math.min(pnorm(z, 0, 1), 1 - pnorm(z, 0, 1)));
  const wdiff = (d: number, zq: number) => {
    const dr = rank([...x.map((v) => v - d), ...y]);
    const dz = dr.slice(0, nx).reduce((a, b) => a + b, 0) - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
    const s = sigmaOf(dr);
    if (s === 0) throw new Error("cannot compute the confidence interval: all values are the same");
    return (dz - Math.sign(dz) * 0.5) / s - zq;
  };
  const lo = Math.min(...x) - Math.max(...y);
  const hi = Math.max(...x) - Math.min(...y);
  const zq = qnorm(1 - alpha / 2, 0, 1);
  return {
    W,
    pValue,
    confInt: [root((d) => wdiff(d, zq), lo, hi), root((d) => wdiff(d, -zq), lo, hi)],
    estimate: root((d) => wdiff(d, 0), lo, hi),
    exact: false,
  };
}
