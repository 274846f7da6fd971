import { chainingResults, type JobResult } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import { dedupRules } from '../../db/dedup-rules.ts'
import { finishOwnedJob } from '../../db/queries/finish-owned-job.ts'
import { lockOwnedJob } from '../../db/queries/lock-owned-job.ts'
import type { JobRow } from '../../db/rows.ts'
import type { JobMeta } from '../../db/schema/jobs.ts'
import { requestJob, type JobRequest } from './enqueue.ts'
import { JobAbort } from './job-context.ts'

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

/** The children an outcome creates: none unless the job succeeded (SPEC §5.3). */
export function childrenOf(outcome: JobOutcome): JobRequest[] {
  return chainingResults.includes(outcome.result) ? (outcome.children ?? []) : []
}

/**
 * The tail of every finishing transaction, after the job's effects (SPEC §5.2, §5.3). With
 * children: lock the job and its current key (lost or cancelled: stop here) and create them.
 * Last, the compare-and-set (finishOwnedJob), which also hands `is_current` over, appends the
 * event and derives the pipelines. Any failure, the compare-and-set's included, throws, and the
 * whole transaction, effects included, rolls back.
 *
 * Without children and without effects, `tx` may be a plain connection: the compare-and-set is
 * then the whole finish, in one statement.
 */
export async function finishInTransaction(
  tx: Db,
  job: JobRow,
  pod: string,
  outcome: JobOutcome,
): Promise<void> {
  const children = childrenOf(outcome)
  const childIds: number[] = []
  if (children.length > 0) {
    const owned = await lockOwnedJob(tx, job.id, pod)
    if (!owned) throw new PreemptedError(job.id)
    // Cancelled after the last heartbeat: the effects roll back like those of an aborted
    // handler, and the worker finishes the job CANCELLED without them.
    if (owned.cancelRequested && outcome.result !== 'CANCELLED') throw cancelled(job.id)
    const ctx = {
      pipelineId: owned.pipelineId,
      institutionId: job.institutionId,
      createdBy: job.createdBy,
      parentJobId: job.id,
    }
    for (const child of children) childIds.push((await requestJob(tx, ctx, child)).jobId)
  }
  const status = await finishOwnedJob(tx, job.id, pod, {
    result: outcome.result,
    message: outcome.message,
    meta: { ...outcome.meta, progress: null },
    childIds,
    wake: job.jobType in dedupRules,
  })
  if (status === 'lost') throw new PreemptedError(job.id)
  if (status === 'cancel_requested') throw cancelled(job.id)
}

function cancelled(jobId: number): JobAbort {
  return new JobAbort('cancel', `job ${jobId} cancelled by an admin`)
}
