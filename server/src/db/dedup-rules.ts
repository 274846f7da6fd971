import type { JobType } from '@carbon-sync/shared'

/**
 * Deduplication of pending jobs (SPEC §5.3), as one table: for each job type that is
 * deduplicated, the columns of its scope (tenant always first) and the partial unique indexes
 * that enforce "at most one pending job per scope" and "at most one running job per scope".
 * The schema builds the indexes from this table, and the enqueue (ON CONFLICT target) and the
 * claim (a scope with a running job is skipped) build their SQL from it, so none can drift.
 *
 * Why one running job per scope: a follow-up created while a job runs must not run beside it.
 * Both read the scope's data and write its results; if the follow-up, which read newer data,
 * committed first, the older job would then overwrite its results. Run one after the other,
 * the last to commit is always the one that read the newest data.
 */
export interface DedupRule {
  /** Job columns (snake_case) that make up the scope. */
  scope: readonly ScopeColumn[]
  /** Name of the partial unique index on pending jobs. */
  index: string
  /** Name of the partial unique index on running jobs. */
  runningIndex: string
}

export type ScopeColumn = 'institution_id' | 'module_type_id' | 'data_entry_type_id' | 'year'

/**
 * Pending = queued and never started: a request meeting one joins it instead of adding
 * another. A job that ran and went back to the queue (reclaimed from a silent pod, released at
 * shutdown) is queued again but not pending in this sense: a follow-up may already wait in its
 * scope, and the two run one after the other.
 */
export const pendingPredicate = `state IN ('NOT_STARTED', 'QUEUED') AND started_at IS NULL`

export const dedupRules: Partial<Readonly<Record<JobType, DedupRule>>> = {
  emission_recalc: {
    scope: ['institution_id', 'module_type_id', 'data_entry_type_id', 'year'],
    index: 'jobs_pending_emission_recalc_uq',
    runningIndex: 'jobs_running_emission_recalc_uq',
  },
  aggregation: {
    scope: ['institution_id', 'module_type_id', 'year'],
    index: 'jobs_pending_aggregation_uq',
    runningIndex: 'jobs_running_aggregation_uq',
  },
}

/** The WHERE clause of a rule's pending index. */
export function dedupPredicate(jobType: JobType): string {
  return `job_type = '${jobType}' AND ${pendingPredicate}`
}

/** The WHERE clause of a rule's running index. */
export function runningPredicate(jobType: JobType): string {
  return `job_type = '${jobType}' AND state = 'RUNNING'`
}

/**
 * SQL (for the claim) that is true when job `q` has a deduplicated type and another job of its
 * scope is running (alias `r`): such a job waits for that one to finish. One probe of the
 * rule's running index per candidate of that type; nothing for other types.
 */
export function scopeBusySql(q: string, r: string): string {
  const busy = Object.entries(dedupRules)
    .map(([jobType, rule]) => {
      const sameScope = rule.scope.map((c) => `${r}.${c} = ${q}.${c}`).join(' AND ')
      return `(${q}.job_type = '${jobType}' AND EXISTS (SELECT 1 FROM jobs ${r} WHERE ${runningPredicate(jobType as JobType).replaceAll(/\b(job_type|state)\b/g, `${r}.$1`)} AND ${sameScope}))`
    })
    .join(' OR ')
  return `(${busy})`
}
