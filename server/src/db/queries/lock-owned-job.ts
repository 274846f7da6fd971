import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

/**
 * Locks the row of a job the pod runs, inside a finishing transaction that creates children,
 * before them; then, once the row is held, takes the advisory lock of the job's `is_current`
 * key. Taking the job lock before the children's (a joined pending job is locked) and before
 * any pipeline lock keeps the lock order of every transaction the same (jobs, then current
 * keys, then pipelines), and a lost job is noticed here, before more work: no row, no key lock.
 * A cancel requested since the last heartbeat is noticed here too.
 */
export async function lockOwnedJob(
  tx: Db,
  jobId: number,
  pod: string,
): Promise<OwnedJob | undefined> {
  const [row] = await rows<{ pipeline_id: number; cancel: boolean }>(
    tx,
    sql`
      WITH owned AS MATERIALIZED (
        SELECT id, pipeline_id, cancel_requested_at IS NOT NULL AS cancel,
               current_key_lock(institution_id, module_type_id, data_entry_type_id, year, job_type, target_type) AS key
        FROM jobs
        WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
        FOR NO KEY UPDATE
      )
      SELECT pipeline_id, cancel, pg_advisory_xact_lock(key) FROM owned
    `,
  )
  return row ? { pipelineId: row.pipeline_id, cancelRequested: row.cancel } : undefined
}

/** What the finish must know of its job as it is now, not as it was claimed. */
export interface OwnedJob {
  /** The owning pipeline: a cancel may have handed the job over to a pipeline that joined it. */
  pipelineId: number
  /** An admin asked to cancel the job since its last heartbeat. */
  cancelRequested: boolean
}
