import { chainingResults, type JobResult } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import type { CurrentKey } from '../../db/queries/current-job.ts'
import { finishOwnedJob } from '../../db/queries/finish-owned-job.ts'
import { lockOwnedJob } from '../../db/queries/lock-owned-job.ts'
import type { JobRow } from '../../db/rows.ts'
import type { JobMeta } from '../../db/schema/jobs.ts'
import { requestJob, type JobRequest } from './enqueue.ts'
import { JobAbort } from './job-context.ts'
import { lockPipelinesOfJobs } from '../../db/queries/pipeline-state.ts'
import { derivedStates } from './refresh-pipelines.ts'

/** What a job's effects decided. Children are created only on SUCCESS and WARNING. */
export interface JobOutcome {
  result: JobResult
  message: string | null
  meta?: Partial<JobMeta>
  children?: JobRequest[]
}

/** The pod lost the job while finishing it: everything it did in the transaction is rolled back. */
export class PreemptedError extends Error {
  constructor(jobId: number) {
    super(`job ${jobId} is no longer owned by this pod; its transaction was rolled back`)
  }
}

export function currentKeyOf(job: JobRow): CurrentKey {
  return {
    institutionId: job.institutionId,
    moduleTypeId: job.moduleTypeId,
    dataEntryTypeId: job.dataEntryTypeId,
    year: job.year,
    jobType: job.jobType,
    targetType: job.targetType,
  }
}

/**
 * The tail of every finishing transaction, after the job's effects (SPEC §5.2, §5.3):
 * lock the job and its current key (lost or cancelled: stop here), create the children, lock
 * and derive the pipelines, and last the compare-and-set, which also hands `is_current` over,
 * writes the pipelines and appends the event. Any failure, the compare-and-set included, throws and the whole transaction, effects
 * included, rolls back.
 */
export async function finishInTransaction(
  tx: Db,
  job: JobRow,
  pod: string,
  outcome: JobOutcome,
): Promise<void> {
  const key = currentKeyOf(job)
  const owned = await lockOwnedJob(tx, job.id, pod, key)
  if (!owned) throw new PreemptedError(job.id)
  // Cancelled after the last heartbeat: the effects roll back like those of an aborted handler,
  // and the worker finishes the job CANCELLED without them.
  if (owned.cancelRequested && outcome.result !== 'CANCELLED')
    throw new JobAbort('cancel', `job ${job.id} cancelled by an admin`)
  const childIds: number[] = []
  if (chainingResults.includes(outcome.result)) {
    const ctx = {
      pipelineId: owned.pipelineId,
      institutionId: job.institutionId,
      createdBy: job.createdBy,
      parentJobId: job.id,
    }
    for (const child of outcome.children ?? [])
      childIds.push((await requestJob(tx, ctx, child)).jobId)
  }
  const pipelines = await derivedStates(tx, await lockPipelinesOfJobs(tx, [job.id, ...childIds]), [
    { jobId: job.id, state: 'FINISHED', result: outcome.result, progress: null },
  ])
  const finished = await finishOwnedJob(tx, job.id, pod, {
    result: outcome.result,
    message: outcome.message,
    meta: { ...outcome.meta, progress: null },
    currentKey: key,
    pipelines,
  })
  if (!finished) throw new PreemptedError(job.id)
}
