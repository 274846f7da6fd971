import { sql } from 'drizzle-orm'
import { intArray, rows, type Db } from '../client.ts'
import { toJobRow, type JobRow } from '../rows.ts'

/**
 * Jobs by id, across institutions: for the engine (worker, reaper), which acts on jobs
 * whoever owns them. Callers acting for a user use the scoped queries instead.
 */
export async function readJobsById(db: Db, ids: readonly number[]): Promise<JobRow[]> {
  if (ids.length === 0) return []
  const found = await rows<Record<string, unknown>>(
    db,
    sql`SELECT * FROM jobs WHERE id = ANY(${intArray(ids)}) ORDER BY id`,
  )
  return found.map(toJobRow)
}

/** The job that retries `jobId` (an admin's recover), if one was created. */
export async function retryOfJob(db: Db, jobId: number): Promise<number | undefined> {
  const [row] = await rows<{ id: number }>(
    db,
    sql`SELECT id FROM jobs WHERE retry_of = ${jobId} ORDER BY id LIMIT 1`,
  )
  return row?.id
}

/**
 * Records that a pending job (which a recover joined instead of adding one) retries `jobId`,
 * unless it already retries another job.
 */
export async function markAsRetry(db: Db, pendingJobId: number, jobId: number): Promise<void> {
  await rows(
    db,
    sql`UPDATE jobs SET retry_of = ${jobId}, version = version + 1
        WHERE id = ${pendingJobId} AND retry_of IS NULL RETURNING id`,
  )
}
