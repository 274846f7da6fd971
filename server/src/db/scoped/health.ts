import { sql } from 'drizzle-orm'
import { dataEntryTypes } from '@carbon-sync/shared'
import type { Scope } from '../../domain/auth/scope.ts'
import { rows, type Db } from '../client.ts'

export type WhyStale =
  | 'no_aggregation_ever'
  | 'last_aggregation_failed'
  | 'last_aggregation_too_old'
  | 'pending_aggregation_stuck'

export interface StaleStatsRow {
  module_type_id: number
  year: number
  why: WhyStale
  last_finished_at: string | null
  last_job_id: number | null
}

/**
 * Statistics of the caller's institution that are stale, and why (SPEC §6), in one statement.
 * A (module, year) is considered when it has entries or has had an aggregation. First match:
 * - pending_aggregation_stuck: an aggregation pending or running for more than N minutes;
 * - (an aggregation on its way, not stuck: not stale);
 * - last_aggregation_failed: the module's current (newest finished) aggregation did not succeed;
 * - no_aggregation_ever: entries, no aggregation ever finished, data older than N minutes;
 * - last_aggregation_too_old: data changed after the last successful aggregation, and that
 *   change is more than N minutes old.
 */
export async function staleStatistics(
  db: Db,
  scope: Scope,
  olderThanMinutes: number,
): Promise<StaleStatsRow[]> {
  const types = sql.raw(
    `(VALUES ${dataEntryTypes.map((t) => `(${t.moduleTypeId}, ${t.id})`).join(', ')}) AS mt(module_type_id, data_entry_type_id)`,
  )
  const limit = sql`now() - make_interval(mins => ${olderThanMinutes})`
  return rows<StaleStatsRow>(
    db,
    sql`
      WITH mt AS (SELECT * FROM ${types}),
      agg AS (
        SELECT * FROM jobs WHERE institution_id = ${scope.institutionId} AND job_type = 'aggregation'
      ),
      scopes AS (
        SELECT DISTINCT mt.module_type_id, e.year
        FROM data_entries e JOIN mt ON mt.data_entry_type_id = e.data_entry_type_id
        WHERE e.institution_id = ${scope.institutionId}
        UNION
        SELECT DISTINCT module_type_id, year FROM agg
      ),
      current_agg AS (SELECT module_type_id, year, id, result, finished_at FROM agg WHERE is_current),
      last_ok AS (SELECT module_type_id, year, max(finished_at) AS at FROM agg WHERE result = 'SUCCESS' GROUP BY 1, 2),
      pending AS (
        SELECT module_type_id, year, min(coalesce(started_at, created_at)) AS since
        FROM agg WHERE state <> 'FINISHED' GROUP BY 1, 2
      ),
      changes AS (
        SELECT j.module_type_id, j.year, max(j.finished_at) AS at
        FROM jobs j
        WHERE j.institution_id = ${scope.institutionId} AND j.state = 'FINISHED' AND j.result IN ('SUCCESS', 'WARNING')
          AND (j.job_type IN ('csv_ingest', 'api_ingest', 'seed_ingest', 'emission_recalc')
               OR (j.job_type IN ('factor_ingest', 'reference_ingest') AND EXISTS (SELECT 1 FROM jobs c WHERE c.parent_job_id = j.id)))
        GROUP BY 1, 2
      ),
      judged AS (
        SELECT s.module_type_id, s.year, c.finished_at AS last_finished_at, c.id AS last_job_id,
          CASE
            WHEN p.since IS NOT NULL AND p.since < ${limit} THEN 'pending_aggregation_stuck'
            WHEN p.since IS NOT NULL THEN NULL
            WHEN c.id IS NOT NULL AND c.result <> 'SUCCESS' THEN 'last_aggregation_failed'
            WHEN c.id IS NULL AND (ch.at IS NULL OR ch.at < ${limit}) THEN 'no_aggregation_ever'
            WHEN ch.at > coalesce(ok.at, '-infinity') AND ch.at < ${limit} THEN 'last_aggregation_too_old'
          END AS why
        FROM scopes s
        LEFT JOIN current_agg c ON c.module_type_id = s.module_type_id AND c.year = s.year
        LEFT JOIN last_ok ok ON ok.module_type_id = s.module_type_id AND ok.year = s.year
        LEFT JOIN pending p ON p.module_type_id = s.module_type_id AND p.year = s.year
        LEFT JOIN changes ch ON ch.module_type_id = s.module_type_id AND ch.year = s.year
      )
      SELECT module_type_id, year, why, last_finished_at, last_job_id FROM judged
      WHERE why IS NOT NULL
      ORDER BY year DESC, module_type_id`,
  )
}
