import { sql, type SQL } from 'drizzle-orm'
import type { JobMeta } from '../schema/jobs.ts'
import { intArray, rows, type Db } from '../client.ts'

/**
 * A change to a job that the statement deriving its pipelines makes itself: that statement's
 * own write may not be visible to the derivation yet, so it is passed along. An absent field
 * keeps the job's stored value.
 */
export interface JobOverride {
  jobId: number
  state?: string
  result?: string | null
  progress?: JobMeta['progress'] | null
}

/**
 * The SQL expression that derives, writes and notifies every pipeline the given jobs count for
 * and the `pipelineIds` (the database function `derive_pipelines`, migration 0009), for a
 * statement that does it among other things. Its value is a set of pipeline ids.
 */
export function derivePipelinesCall(
  jobIds: SQL,
  pipelineIds: readonly number[] = [],
  overrides: SQL | readonly JobOverride[] = [],
): SQL {
  const o = Array.isArray(overrides) ? sql`${JSON.stringify(overrides)}::jsonb` : (overrides as SQL)
  return sql`derive_pipelines(${jobIds}, ${intArray(pipelineIds)}, ${o})`
}

/**
 * Re-derives every pipeline the given jobs belong to (their own and every pipeline that joined
 * them) and the `pipelineIds`, inside the caller's transaction, in one statement: each is
 * locked, derived from its jobs as they are now, written with its version bumped, and
 * announced to the stream watchers on commit. Returns the pipeline ids, in lock (id) order.
 */
export async function derivePipelines(
  tx: Db,
  jobIds: readonly number[],
  pipelineIds: readonly number[] = [],
  overrides: readonly JobOverride[] = [],
): Promise<number[]> {
  if (jobIds.length === 0 && pipelineIds.length === 0) return []
  const found = await rows<{ id: number }>(
    tx,
    sql`SELECT ${derivePipelinesCall(intArray(jobIds), pipelineIds, overrides)} AS id`,
  )
  return found.map((r) => r.id)
}
