import { sql } from 'drizzle-orm'
import type { JobType } from '@carbon-sync/shared'
import type { Config } from '../config.ts'
import { firstRow, type Database, type Db } from '../db/client.ts'
import { isTransientError, publicMessageOf } from '../db/errors.ts'
import { claimJob } from '../db/queries/claim-job.ts'
import { jobQueuedChannel } from '../db/queries/enqueue-job.ts'
import { heartbeatJob } from '../db/queries/heartbeat-job.ts'
import { releaseOwnedJob } from '../db/queries/release-owned-job.ts'
import type { JobRow } from '../db/rows.ts'
import {
  childrenOf,
  finishInTransaction,
  PreemptedError,
  type JobOutcome,
} from '../domain/pipeline/finish-job.ts'
import {
  JobAbort,
  throwIfAborted,
  type JobContext,
  type JobHandler,
} from '../domain/pipeline/job-context.ts'
import { refreshPipelinesOfJobs } from '../domain/pipeline/refresh-pipelines.ts'
import type { Logger } from '../log.ts'
import type { Metrics } from '../metrics.ts'
import { newPodId } from './pod-id.ts'
import { ProgressWriter } from './progress-writer.ts'
import { Reaper } from './reaper.ts'

/**
 * The worker of one process: `WORKER_CONCURRENCY` slots, each looping
 *   idle (asleep until NOTIFY or the poll interval) -> claim -> run -> idle
 * until stop().
 *
 * Invariants
 * - Every write to a claimed job says `AND locked_by = pod AND state = 'RUNNING'` (fencing).
 * - A job's effects commit only with its FINISHED compare-and-set, in one transaction.
 * - A handler is aborted (its transaction rolls back) when a heartbeat finds the job lost or
 *   cancel requested, after 3 consecutive heartbeat failures, or when shutdown grace runs out.
 *
 * Timeouts
 * - HEARTBEAT_INTERVAL_MS (5 s): how often a running job proves its pod alive.
 * - STALE_AFTER_MS (30 s, checked > 3 x heartbeat at start): a pod cut off from the database
 *   gives up after 3 failed beats, or after 80% of the window without an answer, so before
 *   any other pod may reclaim its job.
 * - POLL_INTERVAL_MS (1 s): a claim attempt even without NOTIFY (missed notification, lost
 *   LISTEN connection). NOTIFY makes the usual pickup immediate.
 */
export interface WorkerOptions {
  database: Database
  config: Config
  log: Logger
  metrics?: Metrics
  handlers: Partial<Record<JobType, JobHandler>>
  pod?: string
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error && cause.message && !error.message.includes(cause.message)
      ? `${error.message}: ${cause.message}`
      : error.message
  }
  return String(error)
}

export class Worker {
  readonly pod: string
  private readonly database: Database
  private readonly config: Config
  private readonly log: Logger
  private readonly metrics: Metrics | undefined
  private readonly handlers: Partial<Record<JobType, JobHandler>>
  private readonly running = new Map<number, { controller: AbortController; done: Promise<void> }>()
  private readonly sleepers = new Set<() => void>()
  private readonly reaper: Reaper
  private readonly jobTypes: string[]
  private slots: Promise<void>[] = []
  private stopping = false
  private unlisten: (() => Promise<void>) | undefined

  constructor(options: WorkerOptions) {
    this.database = options.database
    this.config = options.config
    this.log = options.log.child({ component: 'worker' })
    this.metrics = options.metrics
    this.handlers = options.handlers
    this.jobTypes = Object.keys(options.handlers)
    this.pod = options.pod ?? newPodId()
    this.reaper = new Reaper(this.database, this.config, this.log, this.pod)
  }

  async start(): Promise<void> {
    this.unlisten = await this.database
      .listen(jobQueuedChannel, () => this.notify())
      .catch((error: unknown) => {
        this.log.warn('LISTEN failed; polling only', { error })
        return undefined
      })
    this.reaper.start()
    for (let i = 1; i <= this.config.WORKER_CONCURRENCY; i++)
      this.slots.push(this.slotLoop(`${this.pod}#${i}`))
    this.log.info('worker started', { pod: this.pod, concurrency: this.config.WORKER_CONCURRENCY })
  }

  /** Wakes idle slots: a job may be claimable. */
  notify(): void {
    for (const wake of this.sleepers) wake()
    this.sleepers.clear()
  }

  /** Ids of the jobs this pod is running. */
  runningJobIds(): number[] {
    return [...this.running.keys()]
  }

  /**
   * Graceful stop: no more claims; running jobs get `graceMs` to finish, then are aborted,
   * roll back, and go back to the queue for another pod.
   */
  async stop(graceMs = this.config.SHUTDOWN_GRACE_MS): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.notify()
    await this.reaper.stop()
    const all = Promise.all([...this.running.values()].map((r) => r.done))
    const timer = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), graceMs).unref(),
    )
    if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'timeout') {
      for (const r of this.running.values()) {
        r.controller.abort(new JobAbort('shutdown', 'the worker is shutting down'))
      }
    }
    await all
    await Promise.all(this.slots)
    await this.unlisten?.().catch(() => {})
    this.log.info('worker stopped', { pod: this.pod })
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.sleepers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.sleepers.add(wake)
    })
  }

  /**
   * One slot. Its owner id, `pod#n`, is what it writes in `locked_by`: fencing must tell the
   * slots of one process apart, or a slot that lost a job could finish it after another slot
   * of the same process claimed it again.
   */
  private async slotLoop(owner: string): Promise<void> {
    while (!this.stopping) {
      let job: JobRow | undefined
      try {
        job = await this.claim(owner)
      } catch (error) {
        this.log.warn('claim failed', { error: messageOf(error) })
      }
      if (this.stopping && job) {
        await this.release(job, owner, true, 0, 'released at shutdown')
        break
      }
      if (!job) {
        if (!this.stopping) await this.sleep(this.config.POLL_INTERVAL_MS)
        continue
      }
      const controller = new AbortController()
      const done = this.run(job, owner, controller)
      this.running.set(job.id, { controller, done })
      await done
      this.running.delete(job.id)
    }
  }

  /** One statement: the claim and the derivation of the job's pipelines (claimJob). */
  private async claim(owner: string): Promise<JobRow | undefined> {
    const job = await claimJob(this.database.control, owner, this.jobTypes)
    if (job) this.metrics?.claimLatency.observe(job.pickupSeconds)
    return job
  }

  private async run(job: JobRow, owner: string, controller: AbortController): Promise<void> {
    const log = this.log.child({ jobId: job.id, jobType: job.jobType, pipelineId: job.pipelineId })
    const started = performance.now()
    const handler = this.handlers[job.jobType]
    const heartbeat = this.startHeartbeat(job, owner, controller, log)
    const progress = new ProgressWriter(
      this.database,
      job,
      owner,
      this.config.PROGRESS_INTERVAL_MS,
      log,
    )
    let finishCalled = false
    const ctx: JobContext = {
      job,
      pod: owner,
      signal: controller.signal,
      database: this.database,
      config: this.config,
      log,
      progress: (processed, total) => progress.report(processed, total),
      finish: async (work) => {
        if (finishCalled) throw new Error('finish called twice')
        finishCalled = true
        // PGlite has one connection: a progress write queued behind the finishing transaction
        // would never run before it ends, so progress stops before it starts.
        if (this.database.engine === 'pglite') await progress.stop()
        throwIfAborted(controller.signal)
        let result: JobOutcome | undefined
        if (typeof work !== 'function' && childrenOf(work).length === 0) {
          // Nothing to commit but the finish itself: one statement, no transaction around it.
          await progress.stop()
          await finishInTransaction(this.database.control, job, owner, work)
          result = work
        } else {
          const effects = typeof work === 'function' ? work : async () => work
          await this.database.db.transaction(async (tx) => {
            const detach = await this.cancelQueryOnAbort(tx, controller.signal)
            try {
              const outcome = await effects(tx)
              throwIfAborted(controller.signal)
              await progress.stop()
              await finishInTransaction(tx, job, owner, outcome)
              result = outcome
            } finally {
              detach()
            }
          })
        }
        this.metrics?.jobsFinished.inc({ job_type: job.jobType, result: result!.result })
        this.metrics?.jobDuration.observe(
          { job_type: job.jobType },
          (performance.now() - started) / 1000,
        )
        log.info('job finished', { result: result!.result, message: result!.message })
      },
    }
    try {
      if (!handler) throw new Error(`no handler for job type ${job.jobType} in this process`)
      await handler(ctx)
      if (!finishCalled)
        throw new Error(`the ${job.jobType} handler returned without finishing the job`)
    } catch (error) {
      await this.handleFailure(job, owner, error, controller.signal, log)
    } finally {
      heartbeat.stop()
      await progress.stop()
    }
  }

  private async handleFailure(
    job: JobRow,
    owner: string,
    error: unknown,
    signal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    const reason =
      error instanceof JobAbort
        ? error
        : signal.aborted && signal.reason instanceof JobAbort
          ? signal.reason
          : undefined
    if (error instanceof PreemptedError || reason?.kind === 'lost') {
      log.warn('job lost to another pod; rolled back', { error: messageOf(error) })
      return
    }
    if (reason?.kind === 'unreachable') {
      log.error('database unreachable; job abandoned to the reclaim', { error: messageOf(error) })
      return
    }
    if (reason?.kind === 'shutdown') {
      await this.release(job, owner, true, 0, 'released at shutdown')
      return
    }
    if (reason?.kind === 'cancel') {
      await this.finishWithoutEffects(
        job,
        owner,
        { result: 'CANCELLED', message: 'cancelled by an admin' },
        log,
      )
      return
    }
    if (isTransientError(error) && job.attempts < job.maxAttempts) {
      log.warn('transient failure; job requeued', { error: messageOf(error) })
      await this.release(
        job,
        owner,
        false,
        1000 * job.attempts,
        `retrying after: ${publicMessageOf(error)}`,
      )
      return
    }
    log.error('job failed', {
      error: messageOf(error),
      stack: error instanceof Error ? error.stack : undefined,
    })
    await this.finishWithoutEffects(
      job,
      owner,
      { result: 'ERROR', message: publicMessageOf(error) },
      log,
    )
  }

  private async finishWithoutEffects(
    job: JobRow,
    owner: string,
    outcome: JobOutcome,
    log: Logger,
  ): Promise<void> {
    try {
      // ERROR and CANCELLED create no children: the finish is one statement.
      await finishInTransaction(this.database.control, job, owner, outcome)
      this.metrics?.jobsFinished.inc({ job_type: job.jobType, result: outcome.result })
    } catch (error) {
      log.warn('could not record the end of the job; the reclaim will', { error: messageOf(error) })
    }
  }

  private async release(
    job: JobRow,
    owner: string,
    refundAttempt: boolean,
    delayMs: number,
    message: string,
  ): Promise<void> {
    try {
      await this.database.control.transaction(async (tx) => {
        const released = await releaseOwnedJob(tx, job.id, owner, {
          refundAttempt,
          delayMs,
          message,
        })
        if (released) await refreshPipelinesOfJobs(tx, [job.id])
      })
    } catch (error) {
      this.log.warn('could not release job; the reclaim will', {
        jobId: job.id,
        error: messageOf(error),
      })
    }
  }

  /**
   * Beats every HEARTBEAT_INTERVAL_MS, one beat in flight at most. The handler is aborted when
   * the job is lost or cancelled, after 3 consecutive failed beats (database errors), or when
   * no beat has been answered for 80% of the stale window (a hung connection never errors):
   * either way before another pod may reclaim the job. A slow answer alone is not a failure,
   * so a busy event loop does not give up a job that is still safe to hold.
   */
  private startHeartbeat(
    job: JobRow,
    owner: string,
    controller: AbortController,
    log: Logger,
  ): { stop(): void } {
    let failures = 0
    let stopped = false
    let inFlight = false
    let lastAnswered = Date.now()
    const interval = this.config.HEARTBEAT_INTERVAL_MS
    const silenceLimit = this.config.STALE_AFTER_MS * 0.8
    const abort = (kind: JobAbort['kind'], message: string) => {
      if (!controller.signal.aborted) controller.abort(new JobAbort(kind, message))
    }
    const beat = async () => {
      if (stopped || controller.signal.aborted) return
      // PGlite is in-process: a beat only waits for the single connection (a transaction in
      // progress), which is no sign of trouble. On PostgreSQL silence is.
      if (this.database.engine === 'postgres' && Date.now() - lastAnswered > silenceLimit) {
        abort(
          'unreachable',
          `no heartbeat of job ${job.id} answered for ${Math.round((Date.now() - lastAnswered) / 1000)} s`,
        )
        return
      }
      if (inFlight) return
      inFlight = true
      try {
        const outcome = await heartbeatJob(this.database.control, job.id, owner)
        lastAnswered = Date.now()
        failures = 0
        if (stopped) return
        if (outcome === 'lost') abort('lost', `job ${job.id} was taken from this pod`)
        if (outcome === 'cancel_requested') abort('cancel', `job ${job.id} cancelled by an admin`)
      } catch (error) {
        failures++
        log.warn('heartbeat failed', { failures, error: messageOf(error) })
        if (failures >= 3) abort('unreachable', `3 heartbeats of job ${job.id} failed`)
      } finally {
        inFlight = false
      }
    }
    const timer = setInterval(() => void beat(), interval)
    return {
      stop() {
        stopped = true
        clearInterval(timer)
      },
    }
  }

  /**
   * On PostgreSQL a single long statement (an UPDATE of a million rows) would not notice an
   * abort until it ends; cancelling the backend ends it now, and the transaction rolls back.
   */
  private async cancelQueryOnAbort(tx: Db, signal: AbortSignal): Promise<() => void> {
    if (this.database.engine !== 'postgres') return () => {}
    const row = await firstRow<{ pid: number }>(tx, sql`SELECT pg_backend_pid() AS pid`)
    if (!row) return () => {}
    const onAbort = () => {
      void this.database.control.execute(sql`SELECT pg_cancel_backend(${row.pid})`).catch(() => {})
    }
    signal.addEventListener('abort', onAbort, { once: true })
    return () => signal.removeEventListener('abort', onAbort)
  }
}
