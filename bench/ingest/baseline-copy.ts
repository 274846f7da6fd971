import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Sql } from 'postgres'
import { readCsv, type CsvRecord } from '@carbon-sync/shared'
import { copyLine } from '@carbon-sync/server/src/domain/ingestion/copy-text.ts'
import { entryDataJson } from '@carbon-sync/server/src/domain/ingestion/ingest-entries.ts'
import {
  EntryValidator,
  isRowError,
} from '@carbon-sync/server/src/domain/ingestion/entry-validator.ts'
import { secondsSince } from '../lib/benchmark.ts'

/**
 * Measure C, the baseline: the database's own load speed for the rows the ingestion writes.
 *
 * The CSV is turned into COPY text lines with the ingestion's own pieces (its validator, hence
 * `toEntryData`, `entryDataJson` and `copyLine`), so the baseline loads byte for byte what the ingestion sends,
 * in the same columns: institution_id, unit_id, module_type_id, data_entry_type_id, year,
 * source, job_id, data. That happens before the timer; the timer covers BEGIN, the COPY and
 * COMMIT only.
 */
export interface BaselineScope {
  institutionId: number
  moduleTypeId: number
  dataEntryTypeId: number
  year: number
  /** An existing job of the institution (the foreign key is checked as for the ingestion). */
  jobId: number
  unitsByInstitutionalId: ReadonlyMap<string, number>
}

export interface RenderedCopy {
  /** COPY text, about 1 MiB per buffer (the ingestion sends one string per 1 MiB upload chunk). */
  chunks: Buffer[]
  rows: number
  bytes: number
}

const chunkChars = 1024 * 1024

export async function renderCopyLines(
  csvFile: string,
  scope: BaselineScope,
): Promise<RenderedCopy> {
  const batches = readCsv(createReadStream(csvFile, { highWaterMark: 1024 * 1024 }))
  let validator: EntryValidator | undefined
  const chunks: Buffer[] = []
  let text = ''
  let rows = 0
  const fixed = [
    scope.institutionId,
    scope.moduleTypeId,
    scope.dataEntryTypeId,
    scope.year,
    'csv',
    scope.jobId,
  ] as const
  const take = (record: CsvRecord) => {
    if (!validator) {
      validator = new EntryValidator({
        dataEntryTypeId: scope.dataEntryTypeId,
        header: record.cells,
        unitsByInstitutionalId: scope.unitsByInstitutionalId,
        fixedUnitId: null,
        takenUniqueValues: new Set(),
      })
      return
    }
    if (EntryValidator.isBlank(record)) return
    const entry = validator.validate(record)
    if (isRowError(entry)) {
      throw new Error(`generated row ${entry.row} is invalid: ${entry.column} ${entry.message}`)
    }
    rows++
    text += copyLine([
      fixed[0],
      entry.unitId,
      fixed[1],
      fixed[2],
      fixed[3],
      fixed[4],
      fixed[5],
      entryDataJson(entry.data, record.line),
    ])
    if (text.length >= chunkChars) {
      chunks.push(Buffer.from(text))
      text = ''
    }
  }
  for await (const batch of batches) for (const record of batch) take(record)
  if (text) chunks.push(Buffer.from(text))
  return { chunks, rows, bytes: chunks.reduce((n, c) => n + c.length, 0) }
}

/** Loads the rendered lines into data_entries in one transaction; returns the seconds taken. */
export async function timeCopy(sql: Sql, rendered: RenderedCopy): Promise<number> {
  const started = performance.now()
  await sql.begin(async (tx) => {
    const writable = await tx`
      COPY data_entries (
        institution_id, unit_id, module_type_id, data_entry_type_id, year, source, job_id, data
      ) FROM STDIN
    `.writable()
    await pipeline(Readable.from(rendered.chunks), writable)
  })
  return secondsSince(started)
}
