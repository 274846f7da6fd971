import { sql } from 'drizzle-orm'
import type { Config } from '../../config.ts'
import { firstRow, type Database } from '../../db/client.ts'
import { finishStaleJobAsError } from '../../db/queries/cancel-jobs.ts'
import { takeCurrent } from '../../db/queries/current-job.ts'
import { markAsRetry, retryOfJob } from '../../db/queries/read-jobs.ts'
import type { JobMeta } from '../../db/schema/jobs.ts'
import { findJob, lockJob } from '../../db/scoped/jobs.ts'
import { found } from '../access.ts'
import type { Scope } from '../auth/scope.ts'
import { Conflict } from '../errors.ts'
import { requestJob } from './enqueue.ts'
import { refreshPipelinesOfJobs } from './refresh-pipelines.ts'

/**
 * An admin's recover (SPEC §5.6): a job that ended in ERROR, or that is RUNNING with a
 * heartbeat older than the stale window, gets a new job with the same parameters in the same
 * pipeline. A stale one is first finished as ERROR; its pod, should it come back, fails its
 * compare-and-set and commits nothing.
 */
export async function recoverJob(
  database: Database,
  config: Config,
  scope: Scope,
  jobId: number,
): Promise<{ jobId: number; pipelineId: number }> {
  await found(database.db, scope, 'jobs', jobId, await findJob(database.db, scope, jobId))
  return database.db.transaction(async (tx) => {
    const job = (await lockJob(tx, scope, jobId))!
    const retry = await retryOfJob(tx, job.id)
    if (retry !== undefined)
      throw new Conflict(`Job ${jobId} was already recovered: job ${retry} retries it`, {
        retriedBy: retry,
      })
    if (job.state === 'RUNNING') {
      const stale = await firstRow<{ stale: boolean }>(
        tx,
        sql`SELECT coalesce(${job.heartbeatAt}::timestamptz < now() - make_interval(secs => ${config.STALE_AFTER_MS / 1000}), true) AS stale`,
      )
      if (!stale?.stale)
        throw new Conflict(`Job ${jobId} is running and its pod is alive; cancel it instead`)
      await finishStaleJobAsError(tx, job.id, 'recovered by an admin')
      await takeCurrent(tx, job.id)
    } else if (!(job.state === 'FINISHED' && job.result === 'ERROR')) {
      throw new Conflict(
        `Job ${jobId} is ${job.state}${job.result ? ` ${job.result}` : ''}; only a failed or stuck job can be recovered`,
      )
    }
    const created = await requestJob(
      tx,
      {
        pipelineId: job.pipelineId,
        institutionId: job.institutionId,
        createdBy: scope.userId,
        parentJobId: job.parentJobId,
      },
      {
        jobType: job.jobType,
        moduleTypeId: job.moduleTypeId,
        dataEntryTypeId: job.dataEntryTypeId,
        year: job.year,
        targetType: job.targetType,
        ingestionMethod: job.ingestionMethod,
        uploadId: job.uploadId,
        retryOf: job.id,
        meta: configOf(job.meta),
      },
    )
    // A pending job of the scope took the request (dedup): it is the retry.
    if (created.joined) await markAsRetry(tx, created.jobId, job.id)
    await refreshPipelinesOfJobs(tx, [job.id, created.jobId])
    return { jobId: created.jobId, pipelineId: job.pipelineId }
  })
}

/** What a job was asked to do, without what its run produced (progress, counts, errors). */
function configOf(meta: JobMeta): JobMeta {
  const { progress: _p, counts: _c, warnings: _w, firstErrors: _f, ...config } = meta
  return config
}
