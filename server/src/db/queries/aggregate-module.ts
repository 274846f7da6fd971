import { sql } from 'drizzle-orm'
import { firstRow, intArray, type Db } from '../client.ts'

export interface ModuleTotals {
  totalKg: string
  entryCount: number
  entriesWithoutEmission: number
}

/**
 * Computes a module's statistics for one institution and year from its entries and stores
 * them, replacing the previous ones, in one statement. Sums are numeric: exact.
 */
export async function aggregateModule(
  tx: Db,
  s: {
    institutionId: number
    moduleTypeId: number
    dataEntryTypeIds: readonly number[]
    year: number
    jobId: number
  },
): Promise<ModuleTotals> {
  const row = await firstRow<{ total: string; n: number; without: number }>(
    tx,
    sql`
      WITH e AS (
        SELECT e.data_entry_type_id, u.institutional_id AS unit, m.kg_co2eq
        FROM data_entries e JOIN units u ON u.id = e.unit_id
        LEFT JOIN entry_emissions m ON m.entry_id = e.id
        WHERE e.institution_id = ${s.institutionId} AND e.year = ${s.year}
          AND e.data_entry_type_id = ANY(${intArray(s.dataEntryTypeIds)})
      ), by_type AS (
        SELECT coalesce(jsonb_object_agg(t, kg), '{}'::jsonb) AS j
        FROM (SELECT data_entry_type_id::text AS t, coalesce(sum(kg_co2eq), 0)::text AS kg FROM e GROUP BY 1) x
      ), by_unit AS (
        SELECT coalesce(jsonb_object_agg(unit, kg), '{}'::jsonb) AS j
        FROM (SELECT unit, coalesce(sum(kg_co2eq), 0)::text AS kg FROM e GROUP BY 1) x
      ), totals AS (
        SELECT coalesce(sum(kg_co2eq), 0) AS total, count(*)::int AS n, count(*) FILTER (WHERE kg_co2eq IS NULL)::int AS without
        FROM e
      ), saved AS (
        INSERT INTO module_statistics (institution_id, module_type_id, year, total_kg_co2eq, entry_count,
                                       entries_without_emission, by_data_entry_type, by_unit, job_id, computed_at)
        SELECT ${s.institutionId}, ${s.moduleTypeId}, ${s.year}, totals.total, totals.n, totals.without,
               by_type.j, by_unit.j, ${s.jobId}, clock_timestamp()
        FROM totals, by_type, by_unit
        ON CONFLICT (institution_id, module_type_id, year) DO UPDATE
          SET total_kg_co2eq = excluded.total_kg_co2eq, entry_count = excluded.entry_count,
              entries_without_emission = excluded.entries_without_emission,
              by_data_entry_type = excluded.by_data_entry_type, by_unit = excluded.by_unit,
              job_id = excluded.job_id, computed_at = excluded.computed_at
        RETURNING total_kg_co2eq::text AS total, entry_count AS n, entries_without_emission AS without
      )
      SELECT * FROM saved
    `,
  )
  return { totalKg: row!.total, entryCount: row!.n, entriesWithoutEmission: row!.without }
}
