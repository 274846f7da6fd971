import { sql, type SQL } from 'drizzle-orm'
import { firstRow, rows, type Db, type Tenant } from '../client.ts'

/** The sources a replace upload replaces; entries made otherwise (none yet) are kept. */
const replaceableSources = sql`source IN ('csv', 'api', 'seed')`

export interface EntryScope {
  institutionId: number
  dataEntryTypeId: number
  year: number
  /** Only this unit's entries, for an upload made for one unit. */
  unitId: number | null
}

function scopeCondition(s: EntryScope): SQL {
  return sql`institution_id = ${s.institutionId} AND data_entry_type_id = ${s.dataEntryTypeId} AND year = ${s.year}
    ${s.unitId === null ? sql`` : sql`AND unit_id = ${s.unitId}`}`
}

/**
 * Serialises writers of one (institution, data-entry type, year) until the end of the
 * transaction: two replace uploads committing at once would otherwise each delete only the
 * entries they saw and leave a mix of both files.
 */
export async function lockEntryScope(
  tx: Db,
  s: Pick<EntryScope, 'institutionId' | 'dataEntryTypeId' | 'year'>,
): Promise<void> {
  await rows(
    tx,
    sql`SELECT pg_advisory_xact_lock(hashtext(${`entries:${s.institutionId}:${s.dataEntryTypeId}:${s.year}`}))`,
  )
}

/**
 * Deletes the entries a replace upload replaces (those of the scope that the job did not
 * write) and their emissions, which have no foreign key to cascade from.
 */
export async function deleteReplacedEntries(
  tx: Db,
  s: EntryScope,
  keepJobId: number,
): Promise<number> {
  const done = await rows<{ n: number }>(
    tx,
    sql`WITH d AS (DELETE FROM data_entries WHERE ${scopeCondition(s)} AND ${replaceableSources} AND job_id <> ${keepJobId} RETURNING id),
        m AS (DELETE FROM entry_emissions WHERE entry_id IN (SELECT id FROM d))
        SELECT count(*)::int AS n FROM d`,
  )
  return done[0]?.n ?? 0
}

/** kg CO2-eq of the entries a replace upload would replace (for the dry run's impact). */
export async function replacedKg(db: Db, s: EntryScope): Promise<number> {
  const row = await firstRow<{ kg: number }>(
    db,
    sql`SELECT coalesce(sum(kg_co2eq), 0)::float8 AS kg FROM entry_emissions
        WHERE entry_id IN (SELECT id FROM data_entries WHERE ${scopeCondition(s)} AND ${replaceableSources})`,
  )
  return row?.kg ?? 0
}

export async function readUnits(
  db: Db,
  tenant: Tenant,
): Promise<{ id: number; institutional_id: string }[]> {
  return rows(
    db,
    sql`SELECT id, institutional_id FROM units WHERE institution_id = ${tenant.institutionId}`,
  )
}

/**
 * Values of a column that must be unique per institution, module and year, among the entries
 * that stay (all of them on append; those of other data-entry types or units on replace).
 */
export async function existingUniqueValues(
  db: Db,
  s: { institutionId: number; moduleTypeId: number; year: number; column: string },
  replacing: EntryScope | null,
): Promise<Set<string>> {
  const found = await rows<{ v: string }>(
    db,
    sql`SELECT DISTINCT data ->> ${s.column} AS v FROM data_entries
        WHERE institution_id = ${s.institutionId} AND module_type_id = ${s.moduleTypeId} AND year = ${s.year}
          AND data ? ${s.column}
          ${replacing ? sql`AND NOT (${scopeCondition(replacing)} AND ${replaceableSources})` : sql``}`,
  )
  return new Set(found.map((r) => r.v))
}

/** The module's total as last aggregated, or 0. */
export async function aggregatedTotal(
  db: Db,
  tenant: Tenant,
  moduleTypeId: number,
  year: number,
): Promise<number> {
  const row = await firstRow<{ kg: number }>(
    db,
    sql`SELECT total_kg_co2eq::float8 AS kg FROM module_statistics
        WHERE institution_id = ${tenant.institutionId} AND module_type_id = ${moduleTypeId} AND year = ${year}`,
  )
  return row?.kg ?? 0
}
