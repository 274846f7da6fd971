import { dataEntryTypesOfModule } from '@carbon-sync/shared'
import { aggregateModule } from '../../db/queries/aggregate-module.ts'
import type { JobHandler } from '../pipeline/job-context.ts'

/** aggregation: the statistics of one institution, module and year (SPEC §4). */
export const aggregation: JobHandler = async (ctx) => {
  const { job } = ctx
  await ctx.finish(async (tx) => {
    const totals = await aggregateModule(tx, {
      institutionId: job.institutionId,
      moduleTypeId: job.moduleTypeId,
      dataEntryTypeIds: dataEntryTypesOfModule(job.moduleTypeId).map((t) => t.id),
      year: job.year,
      jobId: job.id,
    })
    return {
      result: 'SUCCESS',
      message: `${totals.entryCount} entries, ${Number(totals.totalKg).toFixed(1)} kg CO2-eq`,
      meta: {
        counts: {
          rowsTotal: totals.entryCount,
          rowsInserted: totals.entryCount,
          rowsFailed: 0,
          rowsWithoutEmission: totals.entriesWithoutEmission,
        },
      },
    }
  })
}
