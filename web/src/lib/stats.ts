// Descriptive statistics of the points on screen, recomputed as live points arrive (the server's
// summary is for the window at fetch time). Percentiles interpolate linearly between order
// statistics (type 7, as numpy's default); σ is the sample standard deviation (n − 1).
import type { Summary } from '../api/types';

export interface Descriptive {
  n: number;
  mean: number | null;
  median: number | null;
  sigma: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  percentileError?: number; // the median and percentiles are within this relative error
}

export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function describe(values: ArrayLike<number | null>): Descriptive {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && Number.isFinite(v)) xs.push(v);
  }
  const n = xs.length;
  if (n === 0) return { n, mean: null, median: null, sigma: null, p50: null, p95: null, p99: null };
  let sum = 0;
  for (const v of xs) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of xs) ss += (v - mean) * (v - mean);
  const sorted = Float64Array.from(xs).sort() as unknown as number[];
  const median = quantile(sorted, 0.5);
  return {
    n,
    mean,
    median,
    sigma: n > 1 ? Math.sqrt(ss / (n - 1)) : null,
    p50: median,
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}

// The server's summary of every point of the window, for a chart that lists display points only
// (their extremes are kept, so statistics of them would overstate the spread). Its percentiles
// are nearest-rank.
export function fromSummary(s: Summary): Descriptive {
  const d: Descriptive = { n: s.count, mean: s.mean, median: s.median, sigma: s.std, p50: s.p50, p95: s.p95, p99: s.p99 };
  if (s.percentiles_relative_error !== undefined) d.percentileError = s.percentiles_relative_error;
  return d;
}
