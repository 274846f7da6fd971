import { sql } from 'drizzle-orm'
import { intArray, rows, type Db } from '../client.ts'

/** Finishes pending jobs as CANCELLED at once, with their events. Returns the ids cancelled. */
export async function cancelPendingJobs(
  tx: Db,
  jobIds: readonly number[],
  message: string,
): Promise<number[]> {
  if (jobIds.length === 0) return []
  const done = await rows<{ id: number }>(
    tx,
    sql`
      WITH cancelled AS (
        UPDATE jobs
        SET state = 'FINISHED', result = 'CANCELLED', status_message = ${message},
            finished_at = now(), version = version + 1, updated_at = now()
        WHERE id = ANY(${intArray(jobIds)}) AND state IN ('NOT_STARTED', 'QUEUED')
        RETURNING id, pipeline_id, institution_id
      ), events AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, message)
        SELECT id, pipeline_id, institution_id, 'FINISHED', 'CANCELLED', ${message} FROM cancelled
      )
      SELECT id FROM cancelled
    `,
  )
  return done.map((r) => r.id)
}

/** Asks the pod running a job to stop; it aborts at its next heartbeat. */
export async function requestJobCancel(tx: Db, jobId: number): Promise<void> {
  await rows(
    tx,
    sql`
      UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()), version = version + 1, updated_at = now()
      WHERE id = ${jobId} AND state = 'RUNNING' RETURNING id
    `,
  )
}

/** Removes a pipeline's links to jobs it joined but does not own. */
export async function unlinkJoinedJobs(
  tx: Db,
  pipelineId: number,
  jobIds: readonly number[],
): Promise<void> {
  if (jobIds.length === 0) return
  await rows(
    tx,
    sql`DELETE FROM pipeline_jobs WHERE pipeline_id = ${pipelineId} AND job_id = ANY(${intArray(jobIds)}) RETURNING job_id`,
  )
}

export async function markPipelineCancelRequested(tx: Db, pipelineId: number): Promise<void> {
  await rows(
    tx,
    sql`UPDATE pipelines SET cancel_requested_at = coalesce(cancel_requested_at, now()) WHERE id = ${pipelineId} RETURNING id`,
  )
}

/** Ends a running job whose pod went silent, for an admin's recover. */
export async function finishStaleJobAsError(
  tx: Db,
  jobId: number,
  message: string,
): Promise<boolean> {
  const done = await rows<{ id: number }>(
    tx,
    sql`
      WITH failed AS (
        UPDATE jobs
        SET state = 'FINISHED', result = 'ERROR', status_message = ${message}, meta = meta - 'progress',
            finished_at = now(), version = version + 1, updated_at = now()
        WHERE id = ${jobId} AND state = 'RUNNING'
        RETURNING id, pipeline_id, institution_id
      ), events AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, message)
        SELECT id, pipeline_id, institution_id, 'FINISHED', 'ERROR', ${message} FROM failed
      )
      SELECT id FROM failed
    `,
  )
  return done.length === 1
}
