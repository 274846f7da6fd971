import {
  countEntries,
  createRecalcTable,
  applyRecalcResults,
  readEntryPage,
} from '../../db/queries/recalc.ts'
import { lockEntryScope } from '../../db/queries/entries.ts'
import { copyLine } from '../ingestion/copy-text.ts'
import { emissionColumns } from '../ingestion/entry-validator.ts'
import { throwIfAborted, type JobHandler } from '../pipeline/job-context.ts'
import { emissionFunction } from './emission-inputs.ts'

/** Entries read per page; large enough to amortise the round trip, small enough to keep memory flat. */
const pageSize = 20_000

/**
 * emission_recalc: recomputes the emission of every entry of one institution, data-entry
 * type and year with the current factors (an override stays the entry's total), then chains
 * the module's aggregation. Results go to a scratch table by COPY and back in one UPDATE that
 * only touches entries whose emission changed.
 */
export const emissionRecalc: JobHandler = async (ctx) => {
  const { job, database } = ctx
  const scope = {
    institutionId: job.institutionId,
    dataEntryTypeId: job.dataEntryTypeId!,
    year: job.year,
  }
  const emission = await emissionFunction(
    database.db,
    scope.institutionId,
    scope.dataEntryTypeId,
    scope.year,
  )
  const total = await countEntries(database.db, scope)
  ctx.progress(0, total)
  await ctx.finish(async (tx) => {
    await lockEntryScope(tx, scope)
    await createRecalcTable(tx)
    let afterId = 0
    let processed = 0
    let withoutEmission = 0
    for (;;) {
      throwIfAborted(ctx.signal)
      const page = await readEntryPage(tx, scope, afterId, pageSize)
      if (page.length === 0) break
      const lines: string[] = []
      for (const entry of page) {
        const [kg, code, message] = emissionColumns(emission(entry.data))
        if (kg === null) withoutEmission++
        lines.push(copyLine([entry.id, kg, code, message]))
      }
      await database.copyIn(tx, 'recalc_results', ['id', 'kg', 'code', 'message'], lines)
      afterId = Number(page[page.length - 1]!.id)
      processed += page.length
      ctx.progress(processed, Math.max(total, processed))
    }
    const changed = await applyRecalcResults(tx)
    return {
      result: 'SUCCESS',
      message: `${processed} entries recalculated (${changed} changed), ${withoutEmission} without emission`,
      meta: {
        counts: {
          rowsTotal: processed,
          rowsInserted: changed,
          rowsFailed: 0,
          rowsWithoutEmission: withoutEmission,
        },
      },
      children: [
        {
          jobType: 'aggregation',
          moduleTypeId: job.moduleTypeId,
          dataEntryTypeId: null,
          year: job.year,
          targetType: 'data_entries',
          ingestionMethod: 'computed',
        },
      ],
    }
  })
}
