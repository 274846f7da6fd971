import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'
import { toJobRow, type JobRow } from '../rows.ts'

/**
 * Claims the oldest runnable QUEUED job for `pod`, in one statement: the row is picked with
 * FOR NO KEY UPDATE SKIP LOCKED so that concurrent claimers never wait on each other and never
 * claim the same job, then set RUNNING with a fresh heartbeat and one more attempt, and the
 * transition is appended to job_events. Only job types the pod has handlers for are claimed.
 */
export async function claimJob(
  tx: Db,
  pod: string,
  jobTypes: readonly string[],
): Promise<JobRow | undefined> {
  const types = sql.join(
    jobTypes.map((t) => sql`${t}`),
    sql`, `,
  )
  const [row] = await rows<Record<string, unknown>>(
    tx,
    sql`
      WITH next AS (
        SELECT id FROM jobs
        WHERE state = 'QUEUED' AND run_after <= now() AND job_type IN (${types})
        ORDER BY run_after, id
        LIMIT 1
        FOR NO KEY UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE jobs j
        SET state = 'RUNNING', locked_by = ${pod}, locked_at = now(), heartbeat_at = now(),
            started_at = now(), attempts = j.attempts + 1, version = j.version + 1, updated_at = now()
        FROM next
        WHERE j.id = next.id
        RETURNING j.*
      ), event AS (
        INSERT INTO job_events (job_id, pipeline_id, institution_id, state, pod, message)
        SELECT id, pipeline_id, institution_id, 'RUNNING', ${pod}, 'attempt ' || attempts
        FROM claimed
      )
      SELECT * FROM claimed
    `,
  )
  return row ? toJobRow(row) : undefined
}
