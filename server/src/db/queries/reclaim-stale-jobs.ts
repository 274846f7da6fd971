import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

/**
 * Returns RUNNING jobs whose heartbeat is older than the stale window to QUEUED (attempts
 * kept), or finishes them as ERROR when their attempts are used up. Rows locked by a
 * finishing transaction are skipped: that job is being finished by its owner right now.
 * The lock is NO KEY UPDATE, not UPDATE: a job's own effects reference its row (foreign
 * keys take KEY SHARE), and those must not hide a stale job from the sweep.
 */
export async function reclaimStaleJobs(
  tx: Db,
  pod: string,
  staleAfterMs: number,
): Promise<{ jobId: number; requeued: boolean }[]> {
  const found = await rows<{ id: number; requeued: boolean }>(
    tx,
    sql`
      WITH stale AS (
        SELECT id FROM jobs
        WHERE state = 'RUNNING' AND heartbeat_at < now() - make_interval(secs => ${staleAfterMs / 1000})
        ORDER BY id
        FOR NO KEY UPDATE SKIP LOCKED
      ), requeued AS (
        UPDATE jobs j
        SET state = 'QUEUED', locked_by = NULL, locked_at = NULL, heartbeat_at = NULL,
            meta = meta - 'progress', version = version + 1, updated_at = now()
        FROM stale
        WHERE j.id = stale.id AND j.attempts < j.max_attempts
        RETURNING j.id, j.pipeline_id, j.institution_id, j.attempts
      ), abandoned AS (
        UPDATE jobs j
        SET state = 'FINISHED', result = 'ERROR', status_message = 'abandoned after ' || j.attempts || ' attempts',
            meta = meta - 'progress', finished_at = now(), version = version + 1, updated_at = now()
        FROM stale
        WHERE j.id = stale.id AND j.attempts >= j.max_attempts
        RETURNING j.id, j.pipeline_id, j.institution_id, j.attempts, j.status_message
      ), events AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, pod, message)
        SELECT id, pipeline_id, institution_id, 'QUEUED', NULL, ${pod},
               'reclaimed: no heartbeat for ' || ${staleAfterMs / 1000} || ' s (attempt ' || attempts || ')'
        FROM requeued
        UNION ALL
        SELECT id, pipeline_id, institution_id, 'FINISHED', 'ERROR', ${pod}, status_message FROM abandoned
      )
      SELECT id, true AS requeued FROM requeued
      UNION ALL
      SELECT id, false AS requeued FROM abandoned
    `,
  )
  return found.map((r) => ({ jobId: r.id, requeued: r.requeued }))
}
