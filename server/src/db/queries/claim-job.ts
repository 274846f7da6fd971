import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'
import { scopeBusySql } from '../dedup-rules.ts'
import { toJobRow, type JobRow } from '../rows.ts'

export interface ClaimedJob extends JobRow {
  /** Seconds from the moment the job became runnable (created, or its run_after) to the claim. */
  pickupSeconds: number
}

/**
 * Claims the oldest runnable QUEUED job for `pod`, in one statement, one round trip: the row is
 * picked with FOR NO KEY UPDATE SKIP LOCKED so that concurrent claimers never wait on each other
 * and never claim the same job, then set RUNNING with a fresh heartbeat and one more attempt,
 * the transition is appended to job_events, and the job's pipelines turn RUNNING.
 * Only job types the pod has handlers for are claimed, and a deduplicated job waits while
 * another job of its scope runs (see dedupRules; the running index makes that strict when two
 * claims race).
 *
 * The claim commits without waiting for its WAL to reach the disk (synchronous_commit off, for
 * its own transaction only). A database crash may then forget the last claims; each such job is
 * QUEUED again after recovery, and the pod that claimed it finds at its next heartbeat that it
 * no longer owns it (fencing): it aborts, and nothing of that attempt commits. Anything that
 * commits after the claim (the job's finish) flushes the claim with it.
 *
 * The pipelines are updated by a function call (start_pipelines_of_job, migration 0010) whose
 * queries take snapshots of their own, after the pipelines' locks: a pipeline that joined the
 * job just before the claim is updated too.
 */
const scopeBusy = sql.raw(scopeBusySql('q', 'r'))

export async function claimJob(
  tx: Db,
  pod: string,
  jobTypes: readonly string[],
): Promise<ClaimedJob | undefined> {
  const types = sql.join(
    jobTypes.map((t) => sql`${t}`),
    sql`, `,
  )
  const [row] = await rows<Record<string, unknown>>(
    tx,
    sql`
      WITH next AS (
        SELECT id FROM jobs q
        WHERE state = 'QUEUED' AND run_after <= now() AND job_type IN (${types})
          AND NOT ${scopeBusy}
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
      SELECT claimed.*,
             extract(epoch FROM now() - greatest(claimed.run_after, claimed.created_at))::float8 AS pickup_seconds,
             start_pipelines_of_job(claimed.id) AS derived,
             set_config('synchronous_commit', 'off', true) AS commit_mode
      FROM claimed
    `,
  )
  if (!row) return undefined
  return { ...toJobRow(row), pickupSeconds: Math.max(0, Number(row['pickup_seconds'])) }
}
