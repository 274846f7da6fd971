import { sql, type SQL } from 'drizzle-orm'
import type { PipelineProgress, PipelineStatus } from '@carbon-sync/shared'
import { intArray, rows, type Db } from '../client.ts'
import type { JobMeta } from '../schema/jobs.ts'

/** A pipeline row locked for derivation, with what derivation needs of it. */
export interface LockedPipeline {
  id: number
  cancelRequested: boolean
}

export interface LockedPipelines {
  pipelines: LockedPipeline[]
  /**
   * The jobs of those pipelines, read by the locking statement itself; undefined when one of
   * the pipelines changed between that statement's snapshot and its lock: then they must be
   * read again, in a statement of their own.
   */
  jobs: PipelineJobState[] | undefined
}

/**
 * Locks, in id order, every pipeline the given jobs count for (their own and every pipeline
 * that joined them) and the `extra` ones, and reads their jobs, in one statement.
 *
 * Every transaction that changes jobs ends by locking the pipelines they belong to and
 * deriving them from their jobs: two transactions touching jobs of the same pipeline thus
 * derive it one after the other, each seeing the other's jobs. A statement's snapshot is
 * taken before its locks, so the jobs it reads may predate a transaction that held the lock
 * and committed meanwhile. Such a transaction always bumped the version of every pipeline of
 * the jobs it changed (it derived them too): the statement compares the version it locked
 * with the version its snapshot saw, and when they differ the caller reads the jobs again.
 */
export async function lockPipelinesOfJobs(
  tx: Db,
  jobIds: readonly number[],
  extra: readonly number[] = [],
): Promise<LockedPipelines> {
  if (jobIds.length === 0 && extra.length === 0) return { pipelines: [], jobs: [] }
  // One row per (pipeline, job), or per pipeline without jobs. Ids travel as arrays and every
  // row is found by a primary-key probe (OFFSET 0 keeps the planner from turning the lateral
  // lookups into joins of whole tables).
  const found = await rows<Record<string, unknown>>(
    tx,
    sql`
      WITH ids AS (
        SELECT ARRAY(SELECT pipeline_id FROM pipeline_jobs WHERE job_id = ANY(${intArray(jobIds)}))
               || ${intArray(extra)} AS a
      ), locked AS (
        SELECT p.id, p.version, p.cancel_requested_at IS NOT NULL AS cancel FROM pipelines p
        WHERE p.id = ANY((SELECT a FROM ids)::int[])
        ORDER BY p.id
        FOR NO KEY UPDATE
      )
      SELECT l.id AS pipeline_id, l.cancel, l.version = seen.version AS fresh,
             j.id, j.owner, j.job_type, j.parent_job_id, j.retry_of, j.state, j.result, j.progress
      FROM locked l
      CROSS JOIN LATERAL (SELECT s.version FROM pipelines s WHERE s.id = l.id OFFSET 0) seen
      LEFT JOIN LATERAL (
        SELECT j.id, j.pipeline_id AS owner, j.job_type, j.parent_job_id, j.retry_of, j.state,
               j.result, j.meta -> 'progress' AS progress
        FROM jobs j
        WHERE j.id = ANY(ARRAY(SELECT pj.job_id FROM pipeline_jobs pj WHERE pj.pipeline_id = l.id))
        OFFSET 0
      ) j ON true
      ORDER BY l.id, j.id
    `,
  )
  const pipelines: LockedPipeline[] = []
  for (const r of found) {
    const id = r['pipeline_id'] as number
    if (pipelines.at(-1)?.id !== id) pipelines.push({ id, cancelRequested: r['cancel'] as boolean })
  }
  const fresh = found.every((r) => r['fresh'] === true)
  return {
    pipelines,
    jobs: fresh ? found.filter((r) => r['id'] !== null).map(toJobState) : undefined,
  }
}

function toJobState(r: Record<string, unknown>): PipelineJobState {
  return {
    pipelineId: r['pipeline_id'] as number,
    jobId: r['id'] as number,
    ownerPipelineId: r['owner'] as number,
    jobType: r['job_type'] as string,
    parentJobId: (r['parent_job_id'] as number | null) ?? null,
    retryOf: (r['retry_of'] as number | null) ?? null,
    state: r['state'] as string,
    result: (r['result'] as string | null) ?? null,
    progress: (r['progress'] as JobMeta['progress'] | null) ?? null,
  }
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
  return found.map(toJobState)
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
      WITH ${pipelineWrites(states)}
      SELECT count(*) FROM notified
    `,
  )
}

/**
 * The CTEs `written` (the UPDATE of the pipelines) and `notified` (their NOTIFY), for a
 * statement that writes derived states among other things; it must read `notified` for the
 * notifications to be sent.
 */
export function pipelineWrites(states: readonly DerivedPipelineState[]): SQL {
  return sql`
    written AS (
      UPDATE pipelines p
      SET status = v.status, progress = v.progress, version = p.version + 1, updated_at = clock_timestamp(),
          finished_at = CASE WHEN v.finished THEN coalesce(p.finished_at, clock_timestamp()) ELSE NULL END
      FROM jsonb_to_recordset(${JSON.stringify(states)}::jsonb)
           AS v(id int, status text, progress jsonb, finished boolean)
      -- The id list lets the planner use the primary key: it guesses 100 rows for the
      -- recordset and would otherwise scan every pipeline.
      WHERE p.id = v.id AND p.id = ANY(${intArray(states.map((st) => st.id))})
      RETURNING p.id, p.version
    ), notified AS (
      SELECT pg_notify('carbon_sync_pipeline', id || ':' || version) FROM written
    )`
}
