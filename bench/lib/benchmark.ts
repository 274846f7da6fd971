/**
 * A benchmark is a directory bench/<name>/ whose index.ts exports `benchmark`. The runner
 * (bench/run.ts) runs every one of them, or those named on the command line.
 */
export interface Benchmark {
  /** Same as the directory name; what `pnpm bench <name>` selects. */
  name: string
  /** One line for the runner's listing. */
  description: string
  run(): Promise<void>
}

/** Seconds since `start` (a performance.now() value). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Progress lines on stderr, so that stdout keeps only the results. */
export function note(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}
