import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'
import { scopeBusySql } from '../dedup-rules.ts'
import { toJobRow, type JobRow } from '../rows.ts'
import { derivePipelinesCall } from './pipeline-state.ts'

export interface ClaimedJob extends JobRow {
  /** Seconds from the moment the job became runnable (created, or its run_after) to the claim. */
  pickupSeconds: number
}

/**
 * Claims the oldest runnable QUEUED job for `pod`, in one statement, one round trip: the row is
 * picked with FOR NO KEY UPDATE SKIP LOCKED so that concurrent claimers never wait on each other
 * and never claim the same job, then set RUNNING with a fresh heartbeat and one more attempt,
 * the transition is appended to job_events, and the job's pipelines are derived (RUNNING).
 * Only job types the pod has handlers for are claimed, and a deduplicated job waits while
 * another job of its scope runs (see dedupRules; the running index makes that strict when two
 * claims race).
 *
 * The derivation is a function call whose queries take snapshots of their own, after the
 * pipelines' locks: a pipeline that joined the job just before the claim is derived too. The
 * claimed state is passed to it, as the statement's own UPDATE may not be visible to it.
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
             (SELECT count(*) FROM ${derivePipelinesCall(
               sql`ARRAY[claimed.id]`,
               [],
               sql`jsonb_build_array(jsonb_build_object('jobId', claimed.id, 'state', 'RUNNING'))`,
             )}) AS derived
      FROM claimed
    `,
  )
  if (!row) return undefined
  return { ...toJobRow(row), pickupSeconds: Math.max(0, Number(row['pickup_seconds'])) }
}
