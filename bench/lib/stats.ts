/**
 * Percentiles of latency samples, by nearest rank (the value below which at least p% of the
 * samples lie): with 300 samples p99 is the 297th smallest, never an interpolated value.
 */
export interface Distribution {
  n: number
  min: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  }
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

/** Milliseconds with two decimals, for tables. */
export const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a')

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes. */
export const wallClock = (): number => performance.timeOrigin + performance.now()
