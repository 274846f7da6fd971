import { readCsv, type CsvRecord } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import { uploadChunks } from './upload-chunks.ts'

/**
 * The whole of a small upload (factor and reference files are tables of hundreds or
 * thousands of rows): header and records, blank records dropped.
 */
export async function readUploadTable(
  db: Db,
  uploadId: number,
): Promise<{ header: CsvRecord; records: CsvRecord[] }> {
  let header: CsvRecord | undefined
  const records: CsvRecord[] = []
  for await (const batch of readCsv(uploadChunks(db, uploadId))) {
    for (const record of batch) {
      if (!header) header = record
      else if (!record.cells.every((c) => c.trim() === '')) records.push(record)
    }
  }
  if (!header) throw new Error('the file is empty')
  return { header, records }
}
