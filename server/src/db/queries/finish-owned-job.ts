import { sql } from 'drizzle-orm'
import type { JobResult } from '@carbon-sync/shared'
import { rows, type Db } from '../client.ts'
import type { JobMeta } from '../schema/jobs.ts'

export interface FinishValues {
  result: JobResult
  message: string | null
  /** Merged into the job's meta. */
  meta: Partial<JobMeta>
  /** The job becomes the current one of its key (the previous one was cleared just before). */
  makeCurrent: boolean
}

/**
 * The compare-and-set that finishes a job: it succeeds only if the pod still owns the job and
 * the job is still RUNNING. It is the last statement of the finishing transaction; zero rows
 * means the pod was preempted and the caller rolls everything back.
 */
export async function finishOwnedJob(
  tx: Db,
  jobId: number,
  pod: string,
  values: FinishValues,
): Promise<boolean> {
  const done = await rows<{ id: number }>(
    tx,
    sql`
      UPDATE jobs
      SET state = 'FINISHED', result = ${values.result}, status_message = ${values.message},
          meta = meta || ${JSON.stringify(values.meta)}::jsonb, is_current = ${values.makeCurrent},
          finished_at = now(), version = version + 1, updated_at = now()
      WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
      RETURNING id
    `,
  )
  return done.length === 1
}
