import { dataFormatFor, ROW_KEY, type CsvRecord } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import type { JobMeta } from '../../db/schema/jobs.ts'
import {
  deleteReplacedEntries,
  existingUniqueValues,
  lockEntryScope,
  readUnits,
  type EntryScope,
} from '../../db/queries/entries.ts'
import { emissionFunction } from '../emissions/emission-inputs.ts'
import type { JobOutcome } from '../pipeline/finish-job.ts'
import { throwIfAborted, type JobContext } from '../pipeline/job-context.ts'
import { copyLine } from './copy-text.ts'
import { computeEmissions, EntryWarnings, insertEmissions } from '../emissions/write-emissions.ts'
import { EntryValidator, isRowError, type EmissionFn } from './entry-validator.ts'
import { RowErrorCollector } from './row-errors.ts'

/**
 * Data ingestion (SPEC §5.4), shared by the CSV, API and seed providers.
 *
 * Rows are validated one by one; valid ones are streamed into data_entries with COPY inside
 * the job's finishing transaction, invalid ones are kept with their reason. A replace deletes
 * the previous entries of the scope in the same transaction, after the new rows are in: readers
 * see the old entries or the new ones, and an upload whose every row failed replaces nothing.
 *
 * On PostgreSQL parsing and COPY overlap. PGlite has one connection, which a transaction holds
 * whole: there the file is parsed first (progress visible) and only the write is transactional.
 */
export interface EntryIngestion {
  ctx: JobContext
  source: 'csv' | 'api' | 'seed'
  /** Batches of records; the first record is the header. */
  records: AsyncIterable<CsvRecord[]>
  estimatedRows: number | null
  /** Compute emissions now rather than in a chained emission_recalc. */
  inline: boolean
}

/** Rows validated between two turns of the event loop. */
const sliceRows = 2000

const entryColumns = [
  'institution_id',
  'unit_id',
  'module_type_id',
  'data_entry_type_id',
  'year',
  'source',
  'job_id',
  'data',
] as const

export async function ingestEntries({
  ctx,
  source,
  records,
  estimatedRows,
  inline,
}: EntryIngestion): Promise<void> {
  const { job, database } = ctx
  const dataEntryTypeId = job.dataEntryTypeId!
  const mode = job.meta.mode ?? 'replace'
  const scope: EntryScope = {
    institutionId: job.institutionId,
    dataEntryTypeId,
    year: job.year,
    unitId: job.meta.unitId ?? null,
  }
  const iterator = records[Symbol.asyncIterator]()
  const first = await iterator.next()
  if (first.done || first.value.length === 0) throw new Error('the file is empty')
  const [header, ...firstRecords] = first.value as [CsvRecord, ...CsvRecord[]]

  const format = dataFormatFor(dataEntryTypeId)!
  const units = await readUnits(database.db, job)
  const taken = format.uniqueColumn
    ? await existingUniqueValues(
        database.db,
        {
          institutionId: job.institutionId,
          moduleTypeId: job.moduleTypeId,
          year: job.year,
          column: format.uniqueColumn,
        },
        mode === 'replace' ? scope : null,
      )
    : new Set<string>()
  const validator = new EntryValidator({
    dataEntryTypeId,
    header: header.cells,
    unitsByInstitutionalId: new Map(units.map((u) => [u.institutional_id, u.id])),
    fixedUnitId: scope.unitId,
    takenUniqueValues: taken,
  })
  const emission: EmissionFn | undefined = inline
    ? await emissionFunction(database.db, job, dataEntryTypeId, job.year)
    : undefined

  const errors = new RowErrorCollector()
  const counts = { rowsTotal: 0, rowsInserted: 0, rowsFailed: 0, rowsWithoutEmission: 0 }
  const fixed = [
    job.institutionId,
    null,
    job.moduleTypeId,
    dataEntryTypeId,
    job.year,
    source,
    job.id,
  ] as const

  // One string per input batch keeps the COPY stream's per-chunk overhead off the hot path.
  function toLines(batch: readonly CsvRecord[]): string {
    let out = ''
    for (const record of batch) {
      if (EntryValidator.isBlank(record)) continue
      counts.rowsTotal++
      const entry = validator.validate(record)
      if (isRowError(entry)) {
        counts.rowsFailed++
        errors.add(entry)
        continue
      }
      counts.rowsInserted++
      const data = entryDataJson(entry.data, record.line)
      out += copyLine([
        fixed[0],
        entry.unitId,
        fixed[2],
        fixed[3],
        fixed[4],
        fixed[5],
        fixed[6],
        data,
      ])
    }
    return out
  }

  async function* lines(): AsyncGenerator<string> {
    let batch: readonly CsvRecord[] = firstRecords
    for (;;) {
      // Slices of a few thousand rows, with a turn of the event loop between them, so that
      // heartbeats and progress writes are never held up for long by parsing.
      for (let i = 0; i < batch.length; i += sliceRows) {
        throwIfAborted(ctx.signal)
        const text = toLines(batch.slice(i, i + sliceRows))
        ctx.progress(
          counts.rowsTotal,
          estimatedRows === null ? null : Math.max(estimatedRows, counts.rowsTotal),
        )
        if (text) yield text
        await new Promise((resolve) => setImmediate(resolve))
      }
      throwIfAborted(ctx.signal)
      const next = await iterator.next()
      if (next.done) break
      batch = next.value
    }
  }

  const body: AsyncIterable<string> | string[] =
    database.engine === 'pglite' ? await collect(lines()) : lines()

  await ctx.finish(async (tx: Db): Promise<JobOutcome> => {
    await lockEntryScope(tx, scope)
    await database.copyIn(tx, 'data_entries', entryColumns, body)
    const unknown = validator.reader.header.unknown
    const meta: Partial<JobMeta> = {
      counts,
      firstErrors: errors.first(),
      warnings: unknown.length > 0 ? [`Unknown columns ignored: ${unknown.join(', ')}`] : [],
    }
    await errors.store(database, tx, job.id, job.institutionId)
    if (counts.rowsInserted === 0) {
      return {
        result: 'ERROR',
        message: `No valid row: all ${counts.rowsFailed} rows failed; nothing was replaced`,
        meta,
      }
    }
    if (mode === 'replace') await deleteReplacedEntries(tx, scope, job.id)
    if (emission) {
      // Inline: the new entries' emissions, in the same transaction, read back with their ids.
      const warnings = new EntryWarnings(
        dataEntryTypeId,
        new Map(units.map((u) => [u.id, u.institutional_id])),
      )
      const computed = await computeEmissions(tx, scope, emission, job.id, {
        onlyJobId: job.id,
        signal: ctx.signal,
        warnings,
      })
      await insertEmissions(database, tx, computed)
      await warnings.rows.store(database, tx, job.id, job.institutionId)
      counts.rowsWithoutEmission = computed.withoutEmission
      meta.firstWarnings = warnings.rows.first()
    }
    const children = inline
      ? [
          {
            jobType: 'aggregation' as const,
            moduleTypeId: job.moduleTypeId,
            dataEntryTypeId: null,
            year: job.year,
            targetType: 'data_entries' as const,
            ingestionMethod: 'computed' as const,
          },
        ]
      : [
          {
            jobType: 'emission_recalc' as const,
            moduleTypeId: job.moduleTypeId,
            dataEntryTypeId,
            year: job.year,
            targetType: 'data_entries' as const,
            ingestionMethod: 'computed' as const,
          },
        ]
    const stored = `${counts.rowsInserted} row${counts.rowsInserted === 1 ? '' : 's'} stored`
    const notes = [
      counts.rowsFailed > 0 ? `${counts.rowsFailed} failed` : '',
      counts.rowsWithoutEmission > 0 ? `${counts.rowsWithoutEmission} without emission` : '',
    ].filter(Boolean)
    return notes.length > 0
      ? { result: 'WARNING', message: [stored, ...notes].join(', '), meta, children }
      : { result: 'SUCCESS', message: stored, meta, children }
  })
}

/**
 * An entry's stored data as JSON: its parsed columns, and the file's line under ROW_KEY, for a
 * warning about the entry later (built as text: this runs once per row of large files).
 */
export function entryDataJson(data: Readonly<Record<string, unknown>>, line: number): string {
  const json = JSON.stringify(data)
  return `{"${ROW_KEY}":${line}${json.length > 2 ? `,${json.slice(1)}` : '}'}`
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const s of source) all.push(s)
  return all
}
