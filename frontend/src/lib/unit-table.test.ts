import { describe, expect, it } from 'vitest'
import type { Report } from '../api/catalog'
import { unitTable, unitTableCsv } from './unit-table'

const report: Report = {
  year: 2025,
  modules: [
    {
      moduleTypeId: 2,
      totalKgCo2eq: 150.5,
      entryCount: 3,
      entriesWithoutEmission: 0,
      byDataEntryType: { '20': 150.5 },
      byUnit: { 'LAB-A': 100.25, '=cmd': 50.25 },
      computedAt: '2025-01-01T00:00:00Z',
    },
    {
      moduleTypeId: 8,
      totalKgCo2eq: -12.5,
      entryCount: 1,
      entriesWithoutEmission: 0,
      byDataEntryType: { '50': -12.5 },
      byUnit: { 'LAB-A': -12.5 },
      computedAt: '2025-01-01T00:00:00Z',
    },
  ],
}

describe('the per-unit table and its CSV export', () => {
  it('sums each unit over the modules, with unit names from /units', () => {
    const table = unitTable(report, [{ id: 1, institutionalId: 'LAB-A', name: 'Lab A' }])
    expect(table.rows.map((r) => [r.name, r.total])).toEqual([
      ['Lab A', 87.75],
      ['=cmd', 50.25],
    ])
    expect(table.totals).toEqual({ 2: 150.5, 8: -12.5 })
  })

  it('escapes formula-like text cells but keeps signed numbers exact', () => {
    const csv = unitTableCsv(unitTable(report, []))
    const lines = csv.replace('\ufeff', '').trim().split('\r\n')
    expect(lines[0]).toBe(
      'unit_institutional_id,unit_name,Professional travel (kg CO2-eq),Process emissions (kg CO2-eq),total_kg_co2eq',
    )
    expect(lines).toContain('LAB-A,LAB-A,100.25,-12.5,87.75')
    expect(lines).toContain("'=cmd,'=cmd,50.25,,50.25")
  })

  it('rounds the kg of the export to the gram: no float noise of sums', () => {
    const noisy: Report = {
      year: 2025,
      modules: [
        {
          ...report.modules[0]!,
          byUnit: { 'LAB-A': 4559.9701000000005, 'LAB-B': 0.1 + 0.2 },
        },
      ],
    }
    const lines = unitTableCsv(unitTable(noisy, [])).replace('\ufeff', '').trim().split('\r\n')
    expect(lines.slice(1)).toEqual(['LAB-A,LAB-A,4559.97,4559.97', 'LAB-B,LAB-B,0.3,0.3'])
  })

  it('gives each column one unit, from its largest value', () => {
    const mixed: Report = {
      year: 2025,
      modules: [
        { ...report.modules[0]!, byUnit: { 'LAB-A': 3_002_800, 'LAB-B': 97.79 } },
        { ...report.modules[1]!, byUnit: { 'LAB-A': 12.5, 'LAB-B': 40 } },
      ],
    }
    const table = unitTable(mixed, [])
    expect(table.modules.map((m) => m.unit)).toEqual(['t', 'kg'])
    expect(table.totalUnit).toBe('t')
  })
})
