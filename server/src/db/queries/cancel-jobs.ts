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

/**
 * For each of the given jobs that another pipeline also counts (it joined the job) and that
 * pipeline is not being cancelled itself: that pipeline, the oldest if several. A cancel hands
 * such jobs over instead of cancelling them, so that one pipeline's cancel never takes work
 * from another.
 */
export async function otherLiveOwners(
  tx: Db,
  pipelineId: number,
  jobIds: readonly number[],
): Promise<Map<number, number>> {
  if (jobIds.length === 0) return new Map()
  const found = await rows<{ job_id: number; pipeline_id: number }>(
    tx,
    sql`
      SELECT pj.job_id, min(pj.pipeline_id) AS pipeline_id
      FROM pipeline_jobs pj JOIN pipelines p ON p.id = pj.pipeline_id
      WHERE pj.job_id = ANY(${intArray(jobIds)}) AND pj.pipeline_id <> ${pipelineId}
        AND p.cancel_requested_at IS NULL
      GROUP BY pj.job_id
    `,
  )
  return new Map(found.map((r) => [r.job_id, r.pipeline_id]))
}

/** Makes other pipelines the owners of jobs (see otherLiveOwners). */
export async function handOverJobs(tx: Db, owners: ReadonlyMap<number, number>): Promise<void> {
  if (owners.size === 0) return
  const pairs = [...owners].map(([jobId, pipelineId]) => ({ jobId, pipelineId }))
  await rows(
    tx,
    sql`
      UPDATE jobs j SET pipeline_id = v."pipelineId", version = j.version + 1, updated_at = clock_timestamp()
      FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS v("jobId" int, "pipelineId" int)
      WHERE j.id = v."jobId" AND j.id = ANY(${intArray([...owners.keys()])})
      RETURNING j.id
    `,
  )
}

/** Removes a pipeline's links to jobs it no longer counts (joined, or handed over). */
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
