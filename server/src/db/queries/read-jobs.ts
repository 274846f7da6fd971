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
