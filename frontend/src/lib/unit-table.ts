import { escapeFormula, formatCsvRow } from '@carbon-sync/shared'
import type { Report, Unit } from '../api/catalog'
import { csvKg, massUnitFor, type MassUnit } from './format'
import { moduleLabel } from './pipeline-text'

/** kg CO2-eq per unit (rows) and module (columns), from a year's report (`byUnit`). */
export interface UnitTable {
  /** Each module column, with the unit its values are shown in (from its largest value). */
  modules: { id: number; label: string; unit: MassUnit }[]
  rows: {
    institutionalId: string
    name: string
    /** kg per module id; absent when the module has nothing for the unit. */
    kg: Record<number, number>
    total: number
  }[]
  totals: Record<number, number>
  total: number
  /** Unit of the Total column. */
  totalUnit: MassUnit
}

export function unitTable(report: Report, units: readonly Unit[]): UnitTable {
  const modules = report.modules.map((m) => ({
    id: m.moduleTypeId,
    label: moduleLabel(m.moduleTypeId),
  }))
  const names = new Map(units.map((u) => [u.institutionalId, u.name]))
  const byUnit = new Map<string, Record<number, number>>()
  const totals: Record<number, number> = {}
  for (const m of report.modules) {
    totals[m.moduleTypeId] = 0
    for (const [unit, kg] of Object.entries(m.byUnit)) {
      const row = byUnit.get(unit) ?? {}
      row[m.moduleTypeId] = (row[m.moduleTypeId] ?? 0) + kg
      byUnit.set(unit, row)
      totals[m.moduleTypeId] = (totals[m.moduleTypeId] ?? 0) + kg
    }
  }
  const rows = [...byUnit.entries()]
    .map(([institutionalId, kg]) => ({
      institutionalId,
      name: names.get(institutionalId) ?? institutionalId,
      kg,
      total: Object.values(kg).reduce((a, b) => a + b, 0),
    }))
    .sort((a, b) => b.total - a.total)
  const total = rows.reduce((a, r) => a + r.total, 0)
  return {
    modules: modules.map((m) => ({
      ...m,
      unit: massUnitFor([totals[m.id], ...rows.map((r) => r.kg[m.id])]),
    })),
    rows,
    totals,
    total,
    totalUnit: massUnitFor([total, ...rows.map((r) => r.total)]),
  }
}

/**
 * The table as CSV, in kg whatever the display shows: values to the gram (3 decimals, which
 * also drops the noise of float sums), one column per module. Text cells
 * are escaped against formula injection the way the server's exports are (a leading `'` when a
 * cell starts with = + - @ tab or CR and is not a plain number).
 */
export function unitTableCsv(table: UnitTable): string {
  const header = [
    'unit_institutional_id',
    'unit_name',
    ...table.modules.map((m) => `${m.label} (kg CO2-eq)`),
    'total_kg_co2eq',
  ]
  const lines = [formatCsvRow(header.map(escapeFormula))]
  for (const row of table.rows) {
    lines.push(
      formatCsvRow(
        [
          row.institutionalId,
          row.name,
          ...table.modules.map((m) => (row.kg[m.id] === undefined ? '' : csvKg(row.kg[m.id]!))),
          csvKg(row.total),
        ].map(escapeFormula),
      ),
    )
  }
  return `\ufeff${lines.join('\r\n')}\r\n`
}

/** Saves text as a file through a temporary link (no server round trip). */
export function downloadText(
  fileName: string,
  text: string,
  type = 'text/csv;charset=utf-8',
): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
