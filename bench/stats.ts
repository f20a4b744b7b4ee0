// Small statistics helpers shared by the benchmark runner and its workers.
import fs from "node:fs";

export type Summary = { n: number; min: number; median: number; max: number; p50: number; p95: number; mean: number };

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarise(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, min: s[0], median, max: s[s.length - 1], p50: percentile(s, 50), p95: percentile(s, 95), mean };
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/**
 * Peak resident set size of this process so far, in MB: VmHWM, its own memory's high-water mark.
 * Not getrusage's maxRSS: Linux carries that across fork and exec, so a worker spawned by the
 * bench runner reported the runner's own RSS (about 300 MB with Playwright loaded) as its floor.
 */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
