import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

/**
 * Makes a job that just finished the current job of its key (SPEC §5.3: institution, module,
 * data-entry type, year, job type, target type), in one statement: under the key's advisory
 * lock, held until the end of the transaction, the previous current job's flag is cleared and
 * this one's set (`take_current`, migration 0009). Without the lock, two jobs of a key finishing
 * at once could each clear the old current job, miss the other, and the second commit would
 * fail on jobs_current_excl.
 */
export async function takeCurrent(tx: Db, jobId: number): Promise<void> {
  await rows(tx, sql`SELECT take_current(${jobId}) AS done`)
}
