import type { JobType } from '@carbon-sync/shared'

/**
 * Deduplication of pending jobs (SPEC §5.3), as one table: for each job type that is
 * deduplicated, the columns of its scope (tenant always first) and the partial unique index
 * that enforces "at most one pending job per scope". The schema builds the indexes from
 * this table and the enqueue builds its ON CONFLICT target from it, so the two cannot drift.
 */
export interface DedupRule {
  /** Job columns (snake_case) that make up the scope. */
  scope: readonly ScopeColumn[]
  /** Name of the partial unique index. */
  index: string
}

export type ScopeColumn = 'institution_id' | 'module_type_id' | 'data_entry_type_id' | 'year'

/** Pending = not yet claimed: a request meeting one joins it instead of adding another. */
export const pendingPredicate = `state IN ('NOT_STARTED', 'QUEUED')`

export const dedupRules: Partial<Readonly<Record<JobType, DedupRule>>> = {
  emission_recalc: {
    scope: ['institution_id', 'module_type_id', 'data_entry_type_id', 'year'],
    index: 'jobs_pending_emission_recalc_uq',
  },
  aggregation: {
    scope: ['institution_id', 'module_type_id', 'year'],
    index: 'jobs_pending_aggregation_uq',
  },
}

/** The WHERE clause of a rule's partial index. */
export function dedupPredicate(jobType: JobType): string {
  return `job_type = '${jobType}' AND ${pendingPredicate}`
}
