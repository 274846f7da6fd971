import { sql } from 'drizzle-orm'
import type { Config } from '../config.ts'
import type { Database, Db } from '../db/client.ts'
import { takeCurrent } from '../db/queries/current-job.ts'
import { jobQueuedChannel } from '../db/queries/enqueue-job.ts'
import { reclaimStaleJobs } from '../db/queries/reclaim-stale-jobs.ts'
import { refreshPipelinesOfJobs } from '../domain/pipeline/refresh-pipelines.ts'
import type { Logger } from '../log.ts'

/**
 * The reclaim sweep every pod runs, every RECLAIM_INTERVAL_MS with +-50% jitter so that pods
 * do not sweep in lockstep. A job whose pod went silent for STALE_AFTER_MS goes back to the
 * queue, or ends in ERROR when its attempts are used up.
 */
export class Reaper {
  private timer: NodeJS.Timeout | undefined
  private sweeping: Promise<unknown> | undefined
  private stopped = false

  constructor(
    private readonly database: Database,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly pod: string,
  ) {}

  start(): void {
    this.schedule()
  }

  private schedule(): void {
    if (this.stopped) return
    const delay = this.config.RECLAIM_INTERVAL_MS * (0.5 + Math.random())
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.log.warn('reclaim sweep failed', { error }))
        .finally(() => this.schedule())
    }, delay)
  }

  /** One sweep; returns the jobs reclaimed. */
  async sweep(): Promise<{ jobId: number; requeued: boolean }[]> {
    return this.database.control.transaction((tx) => this.sweepIn(tx))
  }

  /** One sweep inside the caller's transaction. */
  async sweepIn(tx: Db): Promise<{ jobId: number; requeued: boolean }[]> {
    {
      const reclaimed = await reclaimStaleJobs(tx, this.pod, this.config.STALE_AFTER_MS)
      if (reclaimed.length === 0) return reclaimed
      for (const r of reclaimed.filter((r) => !r.requeued)) await takeCurrent(tx, r.jobId)
      await refreshPipelinesOfJobs(
        tx,
        reclaimed.map((r) => r.jobId),
      )
      // Requeued jobs are claimable, and an abandoned one frees its scope for a waiting follow-up.
      await tx.execute(sql`SELECT pg_notify(${jobQueuedChannel}, 'reclaimed')`)
      this.log.warn('reclaimed stale jobs', { reclaimed })
      return reclaimed
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.sweeping
  }
}
