/**
 * Messages between the claim benchmark and its worker processes (worker-process.ts), over the
 * IPC channel of child_process. Times are wall-clock milliseconds of the process that took
 * them (`performance.timeOrigin + performance.now()`); the benchmark measures each child's
 * clock offset before using them.
 */
export type System = 'ours' | 'graphile'

/**
 * `each`: report every handler start and end (latency runs, one job at a time);
 * `summary`: only count, and report at the end (throughput runs, no IPC per job).
 */
export type ReportMode = 'each' | 'summary'

export type ToChild = { type: 'ping' } | { type: 'go' } | { type: 'stop' }

export type FromChild =
  | { type: 'ready'; pid: number }
  | { type: 'pong'; now: number }
  | { type: 'start'; id: string; at: number }
  | { type: 'finished'; id: string; at: number }
  | {
      type: 'summary'
      count: number
      firstStart: number | null
      lastFinish: number | null
      /** CPU time (user + system) the process used from `go` to `stop`, in ms. */
      cpuMs: number
    }
  | { type: 'failed'; message: string }
