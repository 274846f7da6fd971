import type { CsvRecord } from '@carbon-sync/shared'
import { ingestEntries } from '../ingestion/ingest-entries.ts'
import type { JobHandler } from '../pipeline/job-context.ts'
import { demoEntries, type DemoTable } from './demo-data.ts'

/** A demo table as the records a CSV reader would give: header on line 1, rows after. */
export function tableRecords(table: DemoTable): CsvRecord[] {
  return [
    { line: 1, cells: table.columns },
    ...table.rows.map((cells, i) => ({ line: i + 2, cells })),
  ]
}

/**
 * seed_ingest: the demo entries of one institution, data-entry type and year, through the
 * same validation and bulk write as an upload. The seed provider always computes emissions
 * inline (SPEC §5.4), whatever BULK_PATH_PURE_ASYNC says.
 */
export const seedIngest: JobHandler = async (ctx) => {
  const key = ctx.job.meta.seed?.institutionKey
  if (!key) throw new Error('seed_ingest job without a demo institution')
  const table = demoEntries(key, ctx.job.year).find(
    (t) => t.dataEntryTypeId === ctx.job.dataEntryTypeId,
  )?.table
  if (!table) throw new Error(`no demo data for type ${ctx.job.dataEntryTypeId}`)
  const records = tableRecords(table)
  await ingestEntries({
    ctx,
    source: 'seed',
    records: (async function* () {
      yield records
    })(),
    estimatedRows: table.rows.length,
    inline: true,
  })
}
