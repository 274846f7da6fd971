import { sql } from 'drizzle-orm'
import { firstRow, rows, type Db } from '../client.ts'

export interface TypeYear {
  institutionId: number
  dataEntryTypeId: number
  year: number
}

export async function countEntries(db: Db, s: TypeYear): Promise<number> {
  const row = await firstRow<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM data_entries
        WHERE institution_id = ${s.institutionId} AND data_entry_type_id = ${s.dataEntryTypeId} AND year = ${s.year}`,
  )
  return row?.n ?? 0
}

/** How many entries a type and year has, and the id of the last one (0: none). */
export async function entryScopeShape(
  db: Db,
  s: TypeYear,
): Promise<{ count: number; lastId: number }> {
  const row = await firstRow<{ n: number; last: string | null }>(
    db,
    sql`SELECT count(*)::int AS n, max(id)::text AS last FROM data_entries
        WHERE institution_id = ${s.institutionId} AND data_entry_type_id = ${s.dataEntryTypeId} AND year = ${s.year}`,
  )
  return { count: row?.n ?? 0, lastId: Number(row?.last ?? 0) }
}

export interface EntryWithEmission {
  id: string
  unit_id: number
  data: Record<string, string | number>
  /** The stored emission, as text (exact), or null. */
  kg: string | null
  code: string | null
  message: string | null
}

/**
 * A page of entries after `afterId`, in id order, with their stored emission; all of the type
 * and year, or only those one job wrote.
 */
export async function readEntryPage(
  db: Db,
  s: TypeYear,
  afterId: number,
  limit: number,
  onlyJobId?: number,
): Promise<EntryWithEmission[]> {
  // ORDER BY names the table's column: the output alias `id` is text and would sort 1, 10, 100.
  return rows(
    db,
    sql`SELECT e.id::text AS id, e.unit_id, e.data, m.kg_co2eq::text AS kg, m.emission_code AS code, m.emission_message AS message
        FROM data_entries e LEFT JOIN entry_emissions m ON m.entry_id = e.id
        WHERE e.institution_id = ${s.institutionId} AND e.data_entry_type_id = ${s.dataEntryTypeId} AND e.year = ${s.year}
          AND e.id > ${afterId} ${onlyJobId === undefined ? sql`` : sql`AND e.job_id = ${onlyJobId}`}
        ORDER BY e.id
        LIMIT ${limit}`,
  )
}

/** Deletes the stored emissions of a type and year (before writing them anew). */
export async function deleteEmissions(tx: Db, s: TypeYear): Promise<void> {
  await tx.execute(
    sql`DELETE FROM entry_emissions
        WHERE institution_id = ${s.institutionId} AND data_entry_type_id = ${s.dataEntryTypeId} AND year = ${s.year}`,
  )
}

/** Columns of entry_emissions, in the order emission COPY lines give them. */
export const emissionColumns = [
  'entry_id',
  'institution_id',
  'data_entry_type_id',
  'year',
  'kg_co2eq',
  'emission_code',
  'emission_message',
  'job_id',
] as const

/** A scratch table shaped like entry_emissions, dropped at the end of the transaction. */
export async function createEmissionScratch(tx: Db): Promise<void> {
  await tx.execute(sql`CREATE TEMP TABLE emission_scratch (LIKE entry_emissions) ON COMMIT DROP`)
}

/** Moves the scratch rows whose entry still exists into entry_emissions. */
export async function keepEmissionsOfExistingEntries(tx: Db): Promise<void> {
  await tx.execute(
    sql`INSERT INTO entry_emissions SELECT s.* FROM emission_scratch s JOIN data_entries e ON e.id = s.entry_id`,
  )
}
