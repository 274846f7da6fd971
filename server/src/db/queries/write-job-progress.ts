import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'
import { derivePipelinesCall } from './pipeline-state.ts'

/**
 * Writes a running job's progress, only while the pod owns it, and derives its pipelines with
 * it, in one statement. Returns whether the pod still owned the job.
 */
export async function writeJobProgress(
  db: Db,
  jobId: number,
  pod: string,
  progress: { phase: number; processed: number; total: number | null },
): Promise<boolean> {
  const value = JSON.stringify(progress)
  const done = await rows<{ id: number }>(
    db,
    sql`
      WITH written AS (
        UPDATE jobs
        SET meta = jsonb_set(meta, '{progress}', ${value}::jsonb),
            version = version + 1, updated_at = now()
        WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
        RETURNING id
      )
      SELECT id, (SELECT count(*) FROM ${derivePipelinesCall(
        sql`ARRAY[written.id]`,
        [],
        sql`jsonb_build_array(jsonb_build_object('jobId', written.id, 'progress', ${value}::jsonb))`,
      )}) AS derived
      FROM written
    `,
  )
  return done.length === 1
}
