import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

/**
 * Locks the row of a job the pod runs, inside the finishing transaction, after its effects
 * and before its children, events and pipelines. Taking the job lock before any pipeline
 * lock keeps the lock order of every transaction the same (jobs, then pipelines), and a lost
 * job is noticed here, before more work.
 */
export async function lockOwnedJob(tx: Db, jobId: number, pod: string): Promise<boolean> {
  const found = await rows<{ id: number }>(
    tx,
    sql`
      SELECT id FROM jobs
      WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
      FOR NO KEY UPDATE
    `,
  )
  return found.length === 1
}
