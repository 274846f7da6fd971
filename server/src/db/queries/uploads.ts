import { sql } from 'drizzle-orm'
import { firstRow, rows, type Db } from '../client.ts'

export interface NewUpload {
  institutionId: number
  kind: 'data' | 'factors' | 'reference'
  moduleTypeId: number
  dataEntryTypeId: number
  year: number
  mode: 'replace' | 'append'
  unitId: number | null
  fileName: string
  sizeBytes: number
  sha256: string
  createdBy: number | null
}

export async function insertUpload(tx: Db, u: NewUpload): Promise<number> {
  const row = await firstRow<{ id: number }>(
    tx,
    sql`
      INSERT INTO uploads (institution_id, kind, module_type_id, data_entry_type_id, year, mode, unit_id,
                           file_name, size_bytes, sha256, created_by)
      VALUES (${u.institutionId}, ${u.kind}, ${u.moduleTypeId}, ${u.dataEntryTypeId}, ${u.year}, ${u.mode},
              ${u.unitId}, ${u.fileName}, ${u.sizeBytes}, ${u.sha256}, ${u.createdBy})
      RETURNING id
    `,
  )
  return row!.id
}

/** Stores one chunk of an upload, text cut at a character boundary (see upload_chunks). */
export async function insertUploadChunk(
  tx: Db,
  uploadId: number,
  seq: number,
  text: string,
): Promise<void> {
  await rows(
    tx,
    sql`INSERT INTO upload_chunks (upload_id, seq, text) VALUES (${uploadId}, ${seq}, ${text}) RETURNING seq`,
  )
}

/** One chunk of an upload (engine side: the job that reads the upload it was created with). */
export async function readUploadChunk(
  db: Db,
  uploadId: number,
  seq: number,
): Promise<Uint8Array | undefined> {
  const row = await firstRow<StoredChunk>(
    db,
    sql`SELECT data, text FROM upload_chunks WHERE upload_id = ${uploadId} AND seq = ${seq}`,
  )
  return row ? chunkBytes(row) : undefined
}

/** A chunk as stored: text, or bytea for uploads stored before text chunks. */
export interface StoredChunk {
  data: Uint8Array | string | null
  text: string | null
}

export function chunkBytes(row: StoredChunk): Uint8Array {
  if (row.text !== null) return Buffer.from(row.text, 'utf8')
  return toBytes(row.data!)
}

/** bytea comes back as a Buffer from postgres.js and as a Uint8Array (or hex text) from PGlite. */
function toBytes(value: Uint8Array | string): Uint8Array {
  if (typeof value !== 'string') return value
  return value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value, 'binary')
}
