import { sql } from 'drizzle-orm'
import type { PipelineProgress, PipelineStatus } from '@carbon-sync/shared'
import { intArray, rows, type Db } from '../client.ts'
import type { JobMeta } from '../schema/jobs.ts'

/** A pipeline row locked for derivation, with what derivation needs of it. */
export interface LockedPipeline {
  id: number
  cancelRequested: boolean
}

/**
 * Locks, in id order, every pipeline the given jobs count for (their own and every pipeline
 * that joined them) and the `extra` ones. Every transaction that changes jobs ends by locking
 * the pipelines they belong to, then reading the jobs afresh in a later statement: two
 * transactions touching jobs of the same pipeline thus derive its status one after the other,
 * each seeing the other's jobs.
 */
export async function lockPipelinesOfJobs(
  tx: Db,
  jobIds: readonly number[],
  extra: readonly number[] = [],
): Promise<LockedPipeline[]> {
  if (jobIds.length === 0 && extra.length === 0) return []
  const found = await rows<{ id: number; cancel: boolean }>(
    tx,
    sql`
      SELECT id, cancel_requested_at IS NOT NULL AS cancel FROM pipelines
      WHERE id IN (
        SELECT pipeline_id FROM pipeline_jobs WHERE job_id = ANY(${intArray(jobIds)})
        UNION ALL SELECT unnest(${intArray(extra)})
      )
      ORDER BY id
      FOR NO KEY UPDATE
    `,
  )
  return found.map((r) => ({ id: r.id, cancelRequested: r.cancel }))
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

export interface DerivedPipelineState {
  id: number
  status: PipelineStatus
  progress: PipelineProgress
  finished: boolean
}

/**
 * Writes pipelines' derived states and bumps their versions, in one statement whatever their
 * number; watchers are notified (`id:version`) when the transaction commits.
 */
export async function writePipelineStates(
  tx: Db,
  states: readonly DerivedPipelineState[],
): Promise<void> {
  if (states.length === 0) return
  await rows(
    tx,
    sql`
      WITH updated AS (
        UPDATE pipelines p
        SET status = v.status, progress = v.progress, version = p.version + 1, updated_at = clock_timestamp(),
            finished_at = CASE WHEN v.finished THEN coalesce(p.finished_at, clock_timestamp()) ELSE NULL END
        FROM jsonb_to_recordset(${JSON.stringify(states)}::jsonb)
             AS v(id int, status text, progress jsonb, finished boolean)
        WHERE p.id = v.id
        RETURNING p.id, p.version
      )
      SELECT pg_notify('carbon_sync_pipeline', id || ':' || version) FROM updated
    `,
  )
}
