import { sql } from 'drizzle-orm'
import type { Scope } from '../../domain/auth/scope.ts'
import { firstRow, type Db } from '../client.ts'
import { chunkBytes, type StoredChunk } from '../queries/uploads.ts'

export interface UploadRow {
  id: number
  kind: string
  module_type_id: number
  data_entry_type_id: number
  year: number
  mode: string
  unit_id: number | null
  file_name: string
  size_bytes: number
  sha256: string
  created_by: string | null
  created_at: string
}

/** An upload of the caller's institution, or undefined. */
export async function findUpload(db: Db, scope: Scope, id: number): Promise<UploadRow | undefined> {
  return firstRow<UploadRow>(
    db,
    sql`SELECT up.id, up.kind, up.module_type_id, up.data_entry_type_id, up.year, up.mode, up.unit_id, up.file_name,
               up.size_bytes::float8 AS size_bytes, up.sha256, u.display_name AS created_by, up.created_at
        FROM uploads up LEFT JOIN users u ON u.id = up.created_by AND u.institution_id = up.institution_id
        WHERE up.id = ${id} AND up.institution_id = ${scope.institutionId}`,
  )
}

/** One chunk of one of the caller's uploads. */
export async function uploadChunk(
  db: Db,
  scope: Scope,
  uploadId: number,
  seq: number,
): Promise<Uint8Array | undefined> {
  const row = await firstRow<StoredChunk>(
    db,
    sql`SELECT c.data, c.text FROM upload_chunks c JOIN uploads up ON up.id = c.upload_id
        WHERE c.upload_id = ${uploadId} AND c.seq = ${seq} AND up.institution_id = ${scope.institutionId}`,
  )
  return row ? chunkBytes(row) : undefined
}
