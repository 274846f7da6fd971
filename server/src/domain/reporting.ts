import { moduleTypes, type ModuleStatus } from '@carbon-sync/shared'
import type { Db } from '../db/client.ts'
import { isoTime } from '../db/rows.ts'
import {
  activeYears,
  moduleStatistics,
  moduleYearFacts,
  yearsWithStatistics,
} from '../db/scoped/reporting.ts'
import type { Scope } from './auth/scope.ts'

/** Statistics as the aggregation stored them (SPEC §6.1); kg values as JSON numbers. */
export async function yearReport(db: Db, scope: Scope, year: number) {
  const stats = await moduleStatistics(db, scope, year)
  const numbers = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]))
  return {
    year,
    modules: stats.map((s) => ({
      moduleTypeId: s.module_type_id,
      totalKgCo2eq: s.total,
      entryCount: s.entry_count,
      entriesWithoutEmission: s.entries_without_emission,
      byDataEntryType: numbers(s.by_data_entry_type),
      byUnit: numbers(s.by_unit),
      computedAt: isoTime(s.computed_at),
    })),
  }
}

/** Where each module stands for a year: what the data management page shows first. */
export async function yearModules(db: Db, scope: Scope, year: number) {
  const facts = await moduleYearFacts(db, scope, year)
  return {
    year,
    modules: facts.map((f) => {
      let status: ModuleStatus
      if (f.active_status) status = 'recalculating'
      else if (f.last_status === 'FAILED' || f.last_has_error) status = 'failed'
      else if (f.entry_count === 0) status = 'incomplete'
      else if (f.stale || f.uncomputed > 0 || f.computed_at === null)
        status = 'recalculation_needed'
      else status = 'up_to_date'
      return {
        moduleTypeId: f.module_type_id,
        status,
        entryCount: f.entry_count,
        totalKgCo2eq: f.total,
        computedAt: isoTime(f.computed_at),
      }
    }),
  }
}

/** Years worth offering: those with activity, and always the current and the previous one. */
export async function years(db: Db, scope: Scope, now = new Date()) {
  const current = now.getUTCFullYear()
  const [active, withStatistics] = await Promise.all([
    activeYears(db, scope),
    yearsWithStatistics(db, scope),
  ])
  const all = new Set([current, current - 1, ...active])
  return { years: [...all].sort((a, b) => b - a), defaultYear: withStatistics[0] ?? current - 1 }
}

export const moduleIds = moduleTypes.map((m) => m.id)
