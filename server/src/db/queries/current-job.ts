import { sql, type SQL } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

export interface CurrentKey {
  institutionId: number
  moduleTypeId: number
  dataEntryTypeId: number | null
  year: number
  jobType: string
  targetType: string
}

/**
 * Serialises the hand-over of `is_current` for one key until the end of the transaction.
 * Without it two jobs finishing at once could each clear the old current job, both miss the
 * other (uncommitted) one, and the second commit would fail on jobs_current_excl. With it,
 * the second waits, and its later statements see the first one committed.
 */
export async function lockCurrentKey(tx: Db, key: CurrentKey): Promise<void> {
  await rows(tx, sql`SELECT pg_advisory_xact_lock(hashtext(${currentKeyLockText(key)}))`)
}

/** The text whose hash names the advisory lock of a key. */
export function currentKeyLockText(key: CurrentKey): string {
  return `current:${key.institutionId}:${key.moduleTypeId}:${key.dataEntryTypeId ?? 0}:${key.year}:${key.jobType}:${key.targetType}`
}

/** Clears the current flag of the key's current job, if any other than `jobId`. */
export async function clearCurrentJob(tx: Db, key: CurrentKey, jobId: number): Promise<void> {
  await rows(tx, sql`WITH ${currentCleared(key, jobId)} SELECT count(*) FROM cleared`)
}

/** The CTE `cleared`: clearCurrentJob inside a larger statement. */
export function currentCleared(key: CurrentKey, jobId: number): SQL {
  return sql`
    cleared AS (
      UPDATE jobs SET is_current = false
      WHERE is_current AND id <> ${jobId}
        AND institution_id = ${key.institutionId} AND module_type_id = ${key.moduleTypeId}
        AND coalesce(data_entry_type_id, 0) = ${key.dataEntryTypeId ?? 0} AND year = ${key.year}
        AND job_type = ${key.jobType} AND target_type = ${key.targetType}
      RETURNING id
    )`
}

/** Makes a job current (after clearCurrentJob in the same transaction). */
export async function markJobCurrent(tx: Db, jobId: number): Promise<void> {
  await rows(tx, sql`UPDATE jobs SET is_current = true WHERE id = ${jobId} RETURNING id`)
}
