import { jobPhase } from '@carbon-sync/shared'
import type { Database } from '../db/client.ts'
import { writeJobProgress } from '../db/queries/write-job-progress.ts'
import type { JobRow } from '../db/rows.ts'
import type { Logger } from '../log.ts'

/**
 * Writes a running job's progress at most once per interval, latest value wins, one write in
 * flight at a time, each a statement of its own (never inside the job's effects transaction,
 * whose writes nobody sees before its commit).
 */
export class ProgressWriter {
  private latest: { processed: number; total: number | null } | undefined
  private written: string | undefined
  private timer: NodeJS.Timeout | undefined
  private inflight: Promise<void> | undefined
  private lastWriteAt = 0
  private stopped = false

  constructor(
    private readonly database: Database,
    private readonly job: JobRow,
    private readonly pod: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  report(processed: number, total: number | null): void {
    this.latest = { processed, total }
    if (this.stopped || this.timer || this.inflight) return
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - Date.now())
    this.timer = setTimeout(() => this.flush(), wait)
  }

  private flush(): void {
    this.timer = undefined
    const latest = this.latest
    const key = JSON.stringify(latest)
    if (this.stopped || !latest || key === this.written) return
    this.lastWriteAt = Date.now()
    const progress = { phase: jobPhase[this.job.jobType], ...latest }
    this.inflight = writeJobProgress(this.database.control, this.job.id, this.pod, progress)
      .then(
        () => {
          this.written = key
        },
        (error: unknown) => this.log.debug('progress not written', { jobId: this.job.id, error }),
      )
      .finally(() => {
        this.inflight = undefined
        if (this.latest && JSON.stringify(this.latest) !== this.written)
          this.report(this.latest.processed, this.latest.total)
      })
  }

  /** Stops writing and waits for a write in flight. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.inflight
  }
}
