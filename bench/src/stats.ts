/** Pure figures: percentiles, latency summaries and rates. */

export interface LatencySummary {
  count: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank percentile (q in [0, 100]) of an ascending array; null when it is empty. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be within 0..100, got ${q}`);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

const round = (v: number | null, digits = 1): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** Summary of a set of latencies (milliseconds); the input is not modified. */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    count: arr.length,
    min: round(arr[0] ?? null),
    p50: round(percentile(arr, 50)),
    p90: round(percentile(arr, 90)),
    p99: round(percentile(arr, 99)),
    max: round(arr.at(-1) ?? null),
    mean: round(arr.length > 0 ? sum / arr.length : null),
  };
}

/** Events per second over a span in milliseconds; null for an empty or zero span. */
export function ratePerSecond(count: number, spanMs: number): number | null {
  if (!(spanMs > 0)) return null;
  return Math.round((count / spanMs) * 1000 * 10) / 10;
}

/**
 * Rate between two samples of a counter, for progress lines: what was added since the previous
 * sample divided by the time between them.
 */
export function instantRate(
  prev: { count: number; at: number } | undefined,
  now: { count: number; at: number },
): number | null {
  if (!prev) return null;
  return ratePerSecond(now.count - prev.count, now.at - prev.at);
}
