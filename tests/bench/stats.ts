// Summaries of per-transaction times: median, p99 (nearest rank), mean, and transactions/s on one core.

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  /** 1e6 / mean µs: transactions per second if one core did nothing else. */
  txPerSec: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / (samples.length || 1);
  return { n: samples.length, median: percentile(sorted, 50), p99: percentile(sorted, 99), mean, txPerSec: mean > 0 ? 1e6 / mean : NaN };
}

/** a / b, or null when either is missing or b is 0 (a ratio over nothing is not a figure). */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}
