// The benchmarks' summaries of a series of measurements.

/** The value at percentile `p` (0–100) of `values`: the nearest rank at or below it. NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const median = (values: readonly number[]) => percentile(values, 50);
