import { sql, type SQL } from 'drizzle-orm'
import { dataEntryTypes } from '@carbon-sync/shared'
import type { Scope } from '../../domain/auth/scope.ts'
import { rows, type Db } from '../client.ts'

/** The catalog's (module, data-entry type) pairs as a VALUES list, for per-module queries. */
function moduleTypes(): SQL {
  return sql.raw(
    `(VALUES ${dataEntryTypes.map((t) => `(${t.moduleTypeId}, ${t.id})`).join(', ')}) AS mt(module_type_id, data_entry_type_id)`,
  )
}

export async function listUnits(db: Db, scope: Scope) {
  return rows<{ id: number; institutional_id: string; name: string }>(
    db,
    sql`SELECT id, institutional_id, name FROM units WHERE institution_id = ${scope.institutionId} ORDER BY institutional_id`,
  )
}

export interface StatisticsRow {
  module_type_id: number
  total: number
  entry_count: number
  entries_without_emission: number
  by_data_entry_type: Record<string, string>
  by_unit: Record<string, string>
  computed_at: string
}

/** The statistics the aggregation stored for the caller's institution and a year. */
export async function moduleStatistics(
  db: Db,
  scope: Scope,
  year: number,
): Promise<StatisticsRow[]> {
  return rows<StatisticsRow>(
    db,
    sql`SELECT module_type_id, total_kg_co2eq::float8 AS total, entry_count, entries_without_emission,
               by_data_entry_type, by_unit, computed_at
        FROM module_statistics WHERE institution_id = ${scope.institutionId} AND year = ${year}
        ORDER BY module_type_id`,
  )
}

/** Years with statistics of the caller's institution, newest first. */
export async function yearsWithStatistics(db: Db, scope: Scope): Promise<number[]> {
  const found = await rows<{ year: number }>(
    db,
    sql`SELECT DISTINCT year FROM module_statistics WHERE institution_id = ${scope.institutionId} AND entry_count > 0 ORDER BY year DESC`,
  )
  return found.map((r) => r.year)
}

/** Years in which the caller's institution has entries, statistics, factors or pipelines. */
export async function activeYears(db: Db, scope: Scope): Promise<number[]> {
  const found = await rows<{ year: number }>(
    db,
    sql`SELECT DISTINCT year FROM (
          SELECT year FROM module_statistics WHERE institution_id = ${scope.institutionId}
          UNION SELECT year FROM pipelines WHERE institution_id = ${scope.institutionId}
          UNION SELECT year FROM factors WHERE institution_id = ${scope.institutionId}
        ) y ORDER BY year DESC`,
  )
  return found.map((r) => r.year)
}

export interface ModuleYearFacts {
  module_type_id: number
  entry_count: number
  uncomputed: number
  total: number | null
  computed_at: string | null
  /** When data or emissions of the module last changed (a successful ingestion or recalculation). */
  changed_at: string | null
  /** Whether that change is newer than the statistics. */
  stale: boolean
  active_status: string | null
  last_status: string | null
  last_has_error: boolean | null
}

/** What the module-status badge of each module needs, for the caller's institution and a year. */
export async function moduleYearFacts(
  db: Db,
  scope: Scope,
  year: number,
): Promise<ModuleYearFacts[]> {
  return rows<ModuleYearFacts>(
    db,
    sql`
      WITH mt AS (SELECT * FROM ${moduleTypes()}),
      e AS (
        SELECT mt.module_type_id, count(*)::int AS entry_count,
               count(*) FILTER (WHERE m.entry_id IS NULL)::int AS uncomputed
        FROM data_entries e JOIN mt ON mt.data_entry_type_id = e.data_entry_type_id
        LEFT JOIN entry_emissions m ON m.entry_id = e.id
        WHERE e.institution_id = ${scope.institutionId} AND e.year = ${year}
        GROUP BY mt.module_type_id
      ),
      changes AS (
        SELECT j.module_type_id, max(j.finished_at) AS changed_at
        FROM jobs j
        WHERE j.institution_id = ${scope.institutionId} AND j.year = ${year} AND j.state = 'FINISHED'
          AND j.result IN ('SUCCESS', 'WARNING')
          AND (j.job_type IN ('csv_ingest', 'api_ingest', 'seed_ingest', 'emission_recalc')
               OR (j.job_type IN ('factor_ingest', 'reference_ingest') AND EXISTS (SELECT 1 FROM jobs c WHERE c.parent_job_id = j.id)))
        GROUP BY j.module_type_id
      ),
      p AS (
        SELECT module_type_id, status, progress,
               row_number() OVER (PARTITION BY module_type_id, status IN ('NOT_STARTED', 'RUNNING') ORDER BY id DESC) AS n
        FROM pipelines WHERE institution_id = ${scope.institutionId} AND year = ${year}
      )
      SELECT m.module_type_id,
             coalesce(e.entry_count, 0) AS entry_count, coalesce(e.uncomputed, 0) AS uncomputed,
             s.total_kg_co2eq::float8 AS total, s.computed_at, c.changed_at,
             (c.changed_at IS NOT NULL AND (s.computed_at IS NULL OR c.changed_at > s.computed_at)) AS stale,
             (SELECT status FROM p WHERE p.module_type_id = m.module_type_id AND p.n = 1 AND p.status IN ('NOT_STARTED', 'RUNNING')) AS active_status,
             (SELECT status FROM p WHERE p.module_type_id = m.module_type_id AND p.n = 1 AND p.status NOT IN ('NOT_STARTED', 'RUNNING')) AS last_status,
             (SELECT (progress ->> 'hasError')::boolean FROM p WHERE p.module_type_id = m.module_type_id AND p.n = 1 AND p.status NOT IN ('NOT_STARTED', 'RUNNING')) AS last_has_error
      FROM (SELECT DISTINCT module_type_id FROM mt) m
      LEFT JOIN e ON e.module_type_id = m.module_type_id
      LEFT JOIN module_statistics s ON s.institution_id = ${scope.institutionId} AND s.year = ${year} AND s.module_type_id = m.module_type_id
      LEFT JOIN changes c ON c.module_type_id = m.module_type_id
      ORDER BY m.module_type_id`,
  )
}
