import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

/** Writes a running job's progress, only while the pod owns it. */
export async function writeJobProgress(
  tx: Db,
  jobId: number,
  pod: string,
  progress: { phase: number; processed: number; total: number | null },
): Promise<boolean> {
  const done = await rows<{ id: number }>(
    tx,
    sql`
      UPDATE jobs
      SET meta = jsonb_set(meta, '{progress}', ${JSON.stringify(progress)}::jsonb),
          version = version + 1, updated_at = now()
      WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
      RETURNING id
    `,
  )
  return done.length === 1
}
