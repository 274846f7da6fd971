import type { Db } from '../db/client.ts'
import { ownerOf, type OwnedTable } from '../db/queries/owner-of.ts'
import type { Scope } from './auth/scope.ts'
import { Forbidden, NotFound } from './errors.ts'

const nouns: Record<OwnedTable, string> = { pipelines: 'Pipeline', jobs: 'Job', uploads: 'Upload' }

/**
 * Returns what a scoped query found, or throws: 403 when the row exists in another
 * institution, 404 when it does not exist at all (SPEC §2).
 */
export async function found<T>(
  db: Db,
  scope: Scope,
  table: OwnedTable,
  id: number,
  value: T | undefined,
): Promise<T> {
  if (value !== undefined) return value
  const owner = await ownerOf(db, table, id)
  if (owner !== undefined && owner !== scope.institutionId) {
    throw new Forbidden(`${nouns[table]} ${id} belongs to another institution`)
  }
  throw new NotFound(`${nouns[table]} ${id} does not exist`)
}
