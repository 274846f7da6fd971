import { sql } from 'drizzle-orm'
import type { JobResult } from '@carbon-sync/shared'
import { rows, type Db } from '../client.ts'
import { dedupRules } from '../dedup-rules.ts'
import { jobQueuedChannel } from './enqueue-job.ts'

const serialTypes = sql.join(
  Object.keys(dedupRules).map((t) => sql`${t}`),
  sql`, `,
)
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
 * the job is still RUNNING, and then appends the FINISHED event. It is the last statement of
 * the finishing transaction; zero rows means the pod was preempted and the caller rolls
 * everything back. A job whose scope runs one job at a time (dedupRules) wakes idle pods: its
 * follow-up, queued while it ran, may run now.
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
      WITH done AS (
        UPDATE jobs
        SET state = 'FINISHED', result = ${values.result}, status_message = ${values.message},
            meta = meta || ${JSON.stringify(values.meta)}::jsonb, is_current = ${values.makeCurrent},
            finished_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp()
        WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
        RETURNING id, pipeline_id, institution_id, job_type
      ), event AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, pod, message)
        SELECT id, pipeline_id, institution_id, 'FINISHED', ${values.result}, ${pod}, ${values.message}
        FROM done
      )
      SELECT id, CASE WHEN job_type IN (${serialTypes}) THEN pg_notify(${jobQueuedChannel}, 'scope-free') END
      FROM done
    `,
  )
  return done.length === 1
}
