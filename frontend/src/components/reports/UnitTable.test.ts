import { describe, expect, it } from 'vitest'
import type { Report } from '../../api/catalog'
import { mountApp } from '../../testing/mount-app'
import UnitTable from './UnitTable.vue'

const report: Report = {
  year: 2025,
  modules: [
    {
      moduleTypeId: 2,
      totalKgCo2eq: 3_002_897.79,
      entryCount: 3,
      entriesWithoutEmission: 0,
      byDataEntryType: { '20': 3_002_897.79 },
      byUnit: { 'LAB-A': 3_002_800, 'LAB-B': 97.79 },
      computedAt: '2025-01-01T00:00:00Z',
    },
    {
      moduleTypeId: 8,
      totalKgCo2eq: 52.5,
      entryCount: 2,
      entriesWithoutEmission: 0,
      byDataEntryType: { '50': 52.5 },
      byUnit: { 'LAB-A': 12.5, 'LAB-B': 40 },
      computedAt: '2025-01-01T00:00:00Z',
    },
  ],
}

describe('UnitTable', () => {
  it('shows one unit per column, said in its header, the exact kg in the titles', () => {
    const w = mountApp(UnitTable, {
      props: { report, units: [{ id: 1, institutionalId: 'LAB-A', name: 'Lab A' }] },
    })
    const headers = w.findAll('thead th').map((th) => th.text())
    expect(headers).toEqual([
      'Unit',
      'Professional travel (t CO2-eq)',
      'Process emissions (kg CO2-eq)',
      'Total (t CO2-eq)',
    ])
    const body = w.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))
    expect(body).toEqual([
      ['3,002.8', '12.5', '3,002.8'],
      // 97.79 kg in a tonnes column: in tonnes too, not "97.79 kg" (exact in the title).
      ['0.1', '40', '0.1'],
    ])
    const footer = w.findAll('tfoot td').map((td) => td.text())
    expect(footer).toEqual(['3,002.9', '52.5', '3,003.0'])
    expect(w.find('tbody td').attributes('title')).toBe('3,002,800 kg CO2-eq')
    // No unit inside a cell: the header says it.
    expect(w.findAll('tbody td, tfoot td').some((td) => / (kg|t)$/.test(td.text()))).toBe(false)
    expect(w.findAll('tbody tr')[1]!.find('td').attributes('title')).toBe('97.79 kg CO2-eq')
    w.unmount()
  })
})
