import { upsertFactors } from '../../db/queries/reference-data.ts'
import type { JobHandler } from '../pipeline/job-context.ts'
import { readFactorRows } from './factor-rows.ts'
import { readUploadTable } from './read-table.ts'
import { RowErrorCollector } from './row-errors.ts'

/**
 * factor_ingest: upserts an institution's factors of one data-entry type and year from a
 * file, then chains the recalculation of that type's entries for that year.
 */
export const factorIngest: JobHandler = async (ctx) => {
  const { job, database } = ctx
  const { header, records } = await readUploadTable(database.db, job.uploadId!)
  const {
    factors,
    errors: rowErrors,
    unknownColumns,
  } = readFactorRows(job.dataEntryTypeId!, header.cells, records)
  const errors = new RowErrorCollector()
  for (const e of rowErrors) errors.add(e)
  ctx.progress(records.length, records.length)
  await ctx.finish(async (tx) => {
    await errors.store(database, tx, job.id, job.institutionId)
    const counts = {
      rowsTotal: records.length,
      rowsInserted: factors.length,
      rowsFailed: errors.count,
      rowsWithoutEmission: 0,
    }
    const meta = {
      counts,
      firstErrors: errors.first(),
      warnings:
        unknownColumns.length > 0 ? [`Unknown columns ignored: ${unknownColumns.join(', ')}`] : [],
    }
    if (factors.length === 0)
      return { result: 'ERROR', message: `No valid row: all ${errors.count} rows failed`, meta }
    const changed = await upsertFactors(
      tx,
      {
        institutionId: job.institutionId,
        dataEntryTypeId: job.dataEntryTypeId!,
        year: job.year,
        jobId: job.id,
      },
      factors,
    )
    const message = `${factors.length} factors read, ${changed} new or changed${errors.count > 0 ? `, ${errors.count} rows failed` : ''}`
    return {
      result: errors.count > 0 ? 'WARNING' : 'SUCCESS',
      message: changed === 0 ? `${message}; nothing to recalculate` : message,
      meta,
      // Unchanged factors give unchanged emissions: recalculate only when something changed.
      children:
        changed === 0
          ? []
          : [
              {
                jobType: 'emission_recalc',
                moduleTypeId: job.moduleTypeId,
                dataEntryTypeId: job.dataEntryTypeId,
                year: job.year,
                targetType: 'data_entries',
                ingestionMethod: 'computed',
              },
            ],
    }
  })
}
