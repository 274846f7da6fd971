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

/** A page of entries after `afterId`, in id order. */
export async function readEntryPage(
  tx: Db,
  s: TypeYear,
  afterId: number,
  limit: number,
): Promise<{ id: string; data: Record<string, string | number> }[]> {
  return rows(
    tx,
    // ORDER BY names the table's column: the output alias `id` is text and would sort 1, 10, 100.
    sql`SELECT e.id::text AS id, e.data FROM data_entries e
        WHERE e.institution_id = ${s.institutionId} AND e.data_entry_type_id = ${s.dataEntryTypeId} AND e.year = ${s.year}
          AND e.id > ${afterId}
        ORDER BY e.id
        LIMIT ${limit}`,
  )
}

/** A scratch table for one transaction's results, dropped at its end. */
export async function createRecalcTable(tx: Db): Promise<void> {
  await tx.execute(
    sql`CREATE TEMP TABLE recalc_results (id bigint PRIMARY KEY, kg numeric, code text, message text) ON COMMIT DROP`,
  )
}

/** Writes the recalculated emissions back, touching only entries whose emission changed. */
export async function applyRecalcResults(tx: Db): Promise<number> {
  const row = await firstRow<{ n: number }>(
    tx,
    sql`WITH u AS (
          UPDATE data_entries e
          SET kg_co2eq = r.kg, emission_code = r.code, emission_message = r.message
          FROM recalc_results r
          WHERE e.id = r.id
            AND (e.kg_co2eq IS DISTINCT FROM r.kg OR e.emission_code IS DISTINCT FROM r.code
                 OR e.emission_message IS DISTINCT FROM r.message)
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM u`,
  )
  return row?.n ?? 0
}
