import { sql } from 'drizzle-orm'
import type { Scope } from '../../domain/auth/scope.ts'
import { firstRow, type Db } from '../client.ts'

/** The name of the caller's institution. */
export async function institutionName(db: Db, scope: Scope): Promise<string> {
  const row = await firstRow<{ name: string }>(
    db,
    sql`SELECT name FROM institutions WHERE id = ${scope.institutionId}`,
  )
  return row?.name ?? ''
}
