import { sql } from 'drizzle-orm'
import type { JobResult } from '@carbon-sync/shared'
import { intArray, rows, type Db } from '../client.ts'
import type { JobMeta } from '../schema/jobs.ts'

export interface FinishValues {
  result: JobResult
  message: string | null
  /** Merged into the job's meta. */
  meta: Partial<JobMeta>
  /** Jobs the finishing transaction created (children): their pipelines are derived too. */
  childIds: readonly number[]
  /** Wake idle workers on commit: a follow-up of the job's scope, queued while it ran, may run. */
  wake: boolean
}

/**
 * 'finished'; 'lost' when the pod no longer owns the job (reclaimed, recovered); or
 * 'cancel_requested' when an admin asked to cancel it and the result is not CANCELLED. In the
 * last two cases nothing was written, and the caller must roll back its transaction.
 */
export type FinishStatus = 'finished' | 'lost' | 'cancel_requested'

/**
 * The compare-and-set that finishes a job, the last statement of its finishing transaction
 * (`finish_job`, migration 0009): it goes on only if the pod still owns the job and the job is
 * still RUNNING, and locks the row until the commit; then, in the same statement, it hands
 * `is_current` over, writes FINISHED with the result, appends the event and derives the job's
 * pipelines. Outside a transaction it is a whole finish of its own: one round trip.
 */
export async function finishOwnedJob(
  tx: Db,
  jobId: number,
  pod: string,
  values: FinishValues,
): Promise<FinishStatus> {
  const [row] = await rows<{ status: FinishStatus }>(
    tx,
    sql`
      SELECT finish_job(${jobId}, ${pod}, ${values.result}, ${values.message},
                        ${JSON.stringify(values.meta)}::jsonb, ${intArray(values.childIds)},
                        ${values.wake}) AS status
    `,
  )
  return row!.status
}
