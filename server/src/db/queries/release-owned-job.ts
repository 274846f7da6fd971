import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'
import { jobQueuedChannel } from './enqueue-job.ts'

/**
 * Gives a running job back to the queue (graceful shutdown, transient failure), only if the
 * pod still owns it. `refundAttempt` undoes the attempt of a job that did not fail (shutdown).
 * Idle pods are woken (NOTIFY on commit) to take it, instead of waiting for their next poll.
 */
export async function releaseOwnedJob(
  tx: Db,
  jobId: number,
  pod: string,
  options: { refundAttempt: boolean; delayMs: number; message: string },
): Promise<{ id: number; pipelineId: number } | undefined> {
  const [row] = await rows<{ id: number; pipeline_id: number }>(
    tx,
    sql`
      WITH released AS (
        UPDATE jobs
        SET state = 'QUEUED', locked_by = NULL, locked_at = NULL, heartbeat_at = NULL,
            attempts = CASE WHEN ${options.refundAttempt} THEN greatest(attempts - 1, 0) ELSE attempts END,
            run_after = now() + make_interval(secs => ${options.delayMs / 1000}),
            meta = meta - 'progress', version = version + 1, updated_at = now()
        WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
        RETURNING id, pipeline_id, institution_id
      ), event AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, pod, message)
        SELECT id, pipeline_id, institution_id, 'QUEUED', ${pod}, ${options.message} FROM released
      )
      SELECT id, pipeline_id, pg_notify(${jobQueuedChannel}, id::text) FROM released
    `,
  )
  return row ? { id: row.id, pipelineId: row.pipeline_id } : undefined
}
