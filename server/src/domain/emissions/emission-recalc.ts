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
import type { Db } from '../../db/client.ts'
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
  let processed = 0
  let withoutEmission = 0

  /** Reads every entry page by page from `db` and renders the results as COPY lines. */
  async function* compute(db: Db): AsyncGenerator<string[]> {
    let afterId = 0
    for (;;) {
      throwIfAborted(ctx.signal)
      const page = await readEntryPage(db, scope, afterId, pageSize)
      if (page.length === 0) return
      const lines: string[] = []
      for (const entry of page) {
        const [kg, code, message] = emissionColumns(emission(entry.data))
        if (kg === null) withoutEmission++
        lines.push(copyLine([entry.id, kg, code, message]))
      }
      afterId = Number(page[page.length - 1]!.id)
      processed += page.length
      ctx.progress(processed, Math.max(total, processed))
      yield lines
    }
  }

  // PGlite has one connection, which a transaction holds whole: compute before it (with
  // progress), so that only the write blocks. An entry replaced meanwhile is simply not
  // updated; the ingestion that replaced it has queued a recalculation of its own.
  const precomputed: string[][] = []
  if (database.engine === 'pglite')
    for await (const lines of compute(database.db)) precomputed.push(lines)

  await ctx.finish(async (tx) => {
    await lockEntryScope(tx, scope)
    await createRecalcTable(tx)
    const batches = database.engine === 'pglite' ? precomputed : compute(tx)
    for await (const lines of batches) {
      await database.copyIn(tx, 'recalc_results', ['id', 'kg', 'code', 'message'], lines)
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
