import { readCsv } from '@carbon-sync/shared'
import type { JobHandler } from '../pipeline/job-context.ts'
import { ingestEntries } from './ingest-entries.ts'
import { uploadChunks } from './upload-chunks.ts'

/** csv_ingest: the entries of an uploaded data file. */
export const csvIngest: JobHandler = async (ctx) => {
  if (ctx.job.uploadId === null) throw new Error('csv_ingest job without an upload')
  await ingestEntries({
    ctx,
    source: 'csv',
    records: readCsv(uploadChunks(ctx.database.db, ctx.job.uploadId)),
    estimatedRows: ctx.job.meta.estimatedRows ?? null,
    inline: ctx.job.meta.inlineEmissions ?? false,
  })
}
