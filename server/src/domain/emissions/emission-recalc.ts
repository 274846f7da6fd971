import { lockEntryScope, readUnits } from '../../db/queries/entries.ts'
import { countEntries } from '../../db/queries/recalc.ts'
import type { JobHandler } from '../pipeline/job-context.ts'
import { emissionFunction } from './emission-inputs.ts'
import {
  computeEmissions,
  EntryWarnings,
  replaceEmissions,
  type ComputedEmissions,
} from './write-emissions.ts'

/**
 * emission_recalc: recomputes the emission of every entry of one institution, data-entry
 * type and year with the current factors (an override stays the entry's total), then chains
 * the module's aggregation.
 *
 * On PostgreSQL the entries are read inside the job's transaction, under the scope's lock.
 * PGlite has one connection, which a transaction holds whole: there the emissions are computed
 * before it (with progress), so that only the write blocks. An entry replaced meanwhile is
 * simply not found by the write; the ingestion that replaced it has queued a recalculation.
 */
export const emissionRecalc: JobHandler = async (ctx) => {
  const { job, database } = ctx
  const scope = {
    institutionId: job.institutionId,
    dataEntryTypeId: job.dataEntryTypeId!,
    year: job.year,
  }
  const emission = await emissionFunction(database.db, job, scope.dataEntryTypeId, scope.year)
  const total = await countEntries(database.db, scope)
  ctx.progress(0, total)
  const units = await readUnits(database.db, job)
  const warnings = new EntryWarnings(
    scope.dataEntryTypeId,
    new Map(units.map((u) => [u.id, u.institutional_id])),
  )
  const options = {
    signal: ctx.signal,
    progress: (n: number) => ctx.progress(n, Math.max(total, n)),
    warnings,
  }
  const precomputed: ComputedEmissions | undefined =
    database.engine === 'pglite'
      ? await computeEmissions(database.db, scope, emission, job.id, options)
      : undefined

  await ctx.finish(async (tx) => {
    await lockEntryScope(tx, scope)
    const computed = precomputed ?? (await computeEmissions(tx, scope, emission, job.id, options))
    await replaceEmissions(database, tx, scope, computed, {
      computedBefore: precomputed !== undefined,
    })
    await warnings.rows.store(database, tx, job.id, job.institutionId)
    const missing = computed.withoutEmission
    return {
      // Entries kept without emission are row warnings (SPEC §4): the statistics miss them.
      result: missing > 0 ? 'WARNING' : 'SUCCESS',
      message:
        `${computed.processed} entries recalculated (${computed.changed} changed), ${missing} without emission` +
        (missing > 0 ? `: ${warnings.rows.kept[0]!.message}${missing > 1 ? ', …' : ''}` : ''),
      meta: {
        firstWarnings: warnings.rows.first(),
        counts: {
          rowsTotal: computed.processed,
          rowsInserted: computed.changed,
          rowsFailed: 0,
          rowsWithoutEmission: computed.withoutEmission,
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
