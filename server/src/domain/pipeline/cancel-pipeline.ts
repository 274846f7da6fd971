import type { Database } from '../../db/client.ts'
import {
  cancelPendingJobs,
  handOverJobs,
  markPipelineCancelRequested,
  otherLiveOwners,
  requestJobCancel,
  unlinkJoinedJobs,
} from '../../db/queries/cancel-jobs.ts'
import { takeCurrent } from '../../db/queries/current-job.ts'
import { lockUnfinishedJobsOfPipeline } from '../../db/scoped/jobs.ts'
import { findPipeline } from '../../db/scoped/pipelines.ts'
import { found } from '../access.ts'
import type { Scope } from '../auth/scope.ts'
import { Conflict } from '../errors.ts'
import { refreshPipelinesOfJobs } from './refresh-pipelines.ts'

/**
 * An admin's cancel (SPEC §5.6): pending jobs of the pipeline end CANCELLED at once; a
 * running one is asked to stop and its pod aborts at its next heartbeat, rolls back and
 * finishes it CANCELLED. Jobs the pipeline only joined belong to other pipelines too: they
 * are left alone and no longer count for this one. Its own jobs that another pipeline joined
 * are handed over to that pipeline, not cancelled: one pipeline's cancel never takes work from
 * another. Nothing chains after a cancel.
 */
export async function cancelPipeline(
  database: Database,
  scope: Scope,
  pipelineId: number,
): Promise<void> {
  await found(
    database.db,
    scope,
    'pipelines',
    pipelineId,
    await findPipeline(database.db, scope, pipelineId),
  )
  await database.db.transaction(async (tx) => {
    // Locking the unfinished jobs first keeps them from finishing under us, and keeps the
    // lock order of every transaction: jobs, then pipelines.
    const unfinished = await lockUnfinishedJobsOfPipeline(tx, scope, pipelineId)
    if (unfinished.length === 0) throw new Conflict(`Pipeline ${pipelineId} has already ended`)
    const heirs = await otherLiveOwners(
      tx,
      pipelineId,
      unfinished.filter((j) => j.pipelineId === pipelineId).map((j) => j.id),
    )
    const own = unfinished.filter((j) => j.pipelineId === pipelineId && !heirs.has(j.id))
    const released = unfinished.filter((j) => j.pipelineId !== pipelineId || heirs.has(j.id))
    const pending = own.filter((j) => j.state === 'NOT_STARTED' || j.state === 'QUEUED')
    const cancelled = await cancelPendingJobs(
      tx,
      pending.map((j) => j.id),
      'cancelled by an admin',
    )
    for (const job of pending.filter((j) => cancelled.includes(j.id))) {
      await takeCurrent(tx, job.id)
    }
    for (const job of own.filter((j) => j.state === 'RUNNING')) await requestJobCancel(tx, job.id)
    await handOverJobs(tx, heirs)
    await unlinkJoinedJobs(
      tx,
      pipelineId,
      released.map((j) => j.id),
    )
    await markPipelineCancelRequested(tx, pipelineId)
    // This pipeline, and those that joined its jobs (they now own the ones handed over).
    await refreshPipelinesOfJobs(
      tx,
      unfinished.map((j) => j.id),
      [],
      [pipelineId],
    )
  })
}
