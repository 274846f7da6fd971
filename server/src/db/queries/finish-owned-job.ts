import { sql } from 'drizzle-orm'
import type { JobResult } from '@carbon-sync/shared'
import { rows, type Db } from '../client.ts'
import { dedupRules } from '../dedup-rules.ts'
import type { JobMeta } from '../schema/jobs.ts'
import { currentCleared, type CurrentKey } from './current-job.ts'
import { jobQueuedChannel } from './enqueue-job.ts'
import { pipelineWrites, type DerivedPipelineState } from './pipeline-state.ts'

const serialTypes = sql.join(
  Object.keys(dedupRules).map((t) => sql`${t}`),
  sql`, `,
)

export interface FinishValues {
  result: JobResult
  message: string | null
  /** Merged into the job's meta. */
  meta: Partial<JobMeta>
  /** The job's key: its previous current job hands `is_current` over to it. */
  currentKey: CurrentKey
  /** The job's pipelines as they are once it is finished (derived by the caller). */
  pipelines: readonly DerivedPipelineState[]
}

/**
 * The compare-and-set that finishes a job, the last statement of its finishing transaction.
 * It succeeds only if the pod still owns the job and the job is still RUNNING; with it, the
 * same statement hands `is_current` over (the constraint is checked at commit, so the order of
 * the two updates inside the statement does not matter), writes the pipelines' derived states
 * and appends the FINISHED event. Zero rows: the pod was preempted, and the caller rolls
 * everything back, these writes included.
 *
 * A job whose scope runs one job at a time (dedupRules) wakes idle pods: its follow-up, queued
 * while it ran, may run now.
 */
export async function finishOwnedJob(
  tx: Db,
  jobId: number,
  pod: string,
  values: FinishValues,
): Promise<boolean> {
  const writes = values.pipelines.length > 0 ? sql`${pipelineWrites(values.pipelines)},` : sql``
  const notified =
    values.pipelines.length > 0 ? sql`(SELECT count(*) FROM notified)` : sql`0::bigint`
  const done = await rows<{ id: number }>(
    tx,
    sql`
      WITH ${currentCleared(values.currentKey, jobId)}, ${writes}
      done AS (
        UPDATE jobs
        SET state = 'FINISHED', result = ${values.result}, status_message = ${values.message},
            meta = meta || ${JSON.stringify(values.meta)}::jsonb, is_current = true,
            finished_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp()
        WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
        RETURNING id, pipeline_id, institution_id, job_type
      ), event AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, pod, message)
        SELECT id, pipeline_id, institution_id, 'FINISHED', ${values.result}, ${pod}, ${values.message}
        FROM done
      )
      SELECT id, ${notified} AS notified,
             CASE WHEN job_type IN (${serialTypes}) THEN pg_notify(${jobQueuedChannel}, 'scope-free') END
      FROM done
    `,
  )
  return done.length === 1
}
