import { sql } from 'drizzle-orm'
import type { PipelineProgress, PipelineStatus } from '@carbon-sync/shared'
import { intArray, rows, type Db } from '../client.ts'
import type { JobMeta } from '../schema/jobs.ts'

/** Pipelines a job counts for: its own and every pipeline that joined it. */
export async function pipelinesOfJobs(tx: Db, jobIds: readonly number[]): Promise<number[]> {
  if (jobIds.length === 0) return []
  const found = await rows<{ pipeline_id: number }>(
    tx,
    sql`
      SELECT DISTINCT pipeline_id FROM pipeline_jobs
      WHERE job_id = ANY(${intArray(jobIds)})
      ORDER BY pipeline_id
    `,
  )
  return found.map((r) => r.pipeline_id)
}

/**
 * Locks pipeline rows in id order. Every transaction that changes jobs ends by locking the
 * pipelines they belong to, then reading the jobs afresh: two transactions touching jobs of
 * the same pipeline thus derive its status one after the other, each seeing the other's jobs.
 */
export async function lockPipelines(
  tx: Db,
  ids: readonly number[],
): Promise<
  { id: number; status: PipelineStatus; cancelRequested: boolean; finishedAt: string | null }[]
> {
  if (ids.length === 0) return []
  const found = await rows<{
    id: number
    status: PipelineStatus
    cancel: boolean
    finished_at: string | null
  }>(
    tx,
    sql`
      SELECT id, status, cancel_requested_at IS NOT NULL AS cancel, finished_at FROM pipelines
      WHERE id = ANY(${intArray(ids)})
      ORDER BY id
      FOR NO KEY UPDATE
    `,
  )
  return found.map((r) => ({
    id: r.id,
    status: r.status,
    cancelRequested: r.cancel,
    finishedAt: r.finished_at,
  }))
}

export interface PipelineJobState {
  pipelineId: number
  jobId: number
  ownerPipelineId: number
  jobType: string
  parentJobId: number | null
  retryOf: number | null
  state: string
  result: string | null
  progress: JobMeta['progress'] | null
}

/** The jobs of pipelines (own and joined), with what status derivation needs. */
export async function readPipelineJobStates(
  tx: Db,
  ids: readonly number[],
): Promise<PipelineJobState[]> {
  if (ids.length === 0) return []
  const found = await rows<Record<string, unknown>>(
    tx,
    sql`
      SELECT pj.pipeline_id, j.id, j.pipeline_id AS owner, j.job_type, j.parent_job_id, j.retry_of,
             j.state, j.result, j.meta -> 'progress' AS progress
      FROM pipeline_jobs pj JOIN jobs j ON j.id = pj.job_id
      WHERE pj.pipeline_id = ANY(${intArray(ids)})
      ORDER BY pj.pipeline_id, j.id
    `,
  )
  return found.map((r) => ({
    pipelineId: r['pipeline_id'] as number,
    jobId: r['id'] as number,
    ownerPipelineId: r['owner'] as number,
    jobType: r['job_type'] as string,
    parentJobId: (r['parent_job_id'] as number | null) ?? null,
    retryOf: (r['retry_of'] as number | null) ?? null,
    state: r['state'] as string,
    result: (r['result'] as string | null) ?? null,
    progress: (r['progress'] as JobMeta['progress'] | null) ?? null,
  }))
}

/** Writes a pipeline's derived state and bumps its version; notifies watchers on commit. */
export async function writePipelineState(
  tx: Db,
  id: number,
  state: { status: PipelineStatus; progress: PipelineProgress; finished: boolean },
): Promise<number> {
  const [row] = await rows<{ version: number }>(
    tx,
    sql`
      WITH updated AS (
        UPDATE pipelines
        SET status = ${state.status}, progress = ${JSON.stringify(state.progress)}::jsonb,
            version = version + 1, updated_at = now(),
            finished_at = CASE WHEN ${state.finished} THEN coalesce(finished_at, now()) ELSE NULL END
        WHERE id = ${id}
        RETURNING id, version
      )
      SELECT version, pg_notify('carbon_sync_pipeline', id || ':' || version) FROM updated
    `,
  )
  return row?.version ?? 0
}
