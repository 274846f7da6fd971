import { chainingResults, type JobResult } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import { clearCurrentJob, lockCurrentKey, type CurrentKey } from '../../db/queries/current-job.ts'
import { finishOwnedJob } from '../../db/queries/finish-owned-job.ts'
import { appendJobEvent } from '../../db/queries/job-events.ts'
import { lockOwnedJob } from '../../db/queries/lock-owned-job.ts'
import type { JobRow } from '../../db/rows.ts'
import type { JobMeta } from '../../db/schema/jobs.ts'
import { requestJob, type JobRequest } from './enqueue.ts'
import { refreshPipelinesOfJobs } from './refresh-pipelines.ts'

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
 * lock the job (lost: stop here), create the children, append the event, hand over
 * `is_current`, derive the pipelines, and last the compare-and-set. Any failure, the
 * compare-and-set included, throws and the whole transaction, effects included, rolls back.
 */
export async function finishInTransaction(
  tx: Db,
  job: JobRow,
  pod: string,
  outcome: JobOutcome,
): Promise<void> {
  if (!(await lockOwnedJob(tx, job.id, pod))) throw new PreemptedError(job.id)
  const childIds: number[] = []
  if (chainingResults.includes(outcome.result)) {
    const ctx = {
      pipelineId: job.pipelineId,
      institutionId: job.institutionId,
      createdBy: job.createdBy,
      parentJobId: job.id,
    }
    for (const child of outcome.children ?? [])
      childIds.push((await requestJob(tx, ctx, child)).jobId)
  }
  await appendJobEvent(tx, {
    jobId: job.id,
    pipelineId: job.pipelineId,
    institutionId: job.institutionId,
    state: 'FINISHED',
    result: outcome.result,
    pod,
    message: outcome.message,
  })
  const key = currentKeyOf(job)
  await lockCurrentKey(tx, key)
  await clearCurrentJob(tx, key, job.id)
  await refreshPipelinesOfJobs(
    tx,
    [job.id, ...childIds],
    [{ jobId: job.id, state: 'FINISHED', result: outcome.result, progress: null }],
  )
  const finished = await finishOwnedJob(tx, job.id, pod, {
    result: outcome.result,
    message: outcome.message,
    meta: { ...outcome.meta, progress: null },
    makeCurrent: true,
  })
  if (!finished) throw new PreemptedError(job.id)
}
