import { sql } from 'drizzle-orm'
import { firstRow, type Db } from '../client.ts'

export type OwnedTable = 'pipelines' | 'jobs' | 'uploads'

/**
 * The institution that owns a row, whoever asks. Only used after a scoped query found
 * nothing, to tell "not yours" (403) from "does not exist" (404); it returns no data.
 */
export async function ownerOf(db: Db, table: OwnedTable, id: number): Promise<number | undefined> {
  const row = await firstRow<{ institution_id: number }>(
    db,
    sql`SELECT institution_id FROM ${sql.identifier(table)} WHERE id = ${id}`,
  )
  return row?.institution_id
}
