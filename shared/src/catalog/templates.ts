import type { ColumnSpec } from './columns.ts'
import { dataFormats } from './formats.ts'
import { dataFormatOfType, dataUploadColumns } from './registry.ts'
import { findDataEntryTypeByKey } from './modules.ts'

function describe(c: ColumnSpec): string {
  return `# ${c.name} (${c.required ? 'required' : 'optional'}): ${c.description}`
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell
}

/**
 * Example values of the types that share a format with another type, where the format's own
 * example would not fit (an IT device is no microscope). Like every example, each names a
 * class, a purchase code or a station the demo seed has a factor or a location for, so that an
 * example row uploaded as it is gets an emission in the demo (server/test/api/reference-data.test.ts).
 */
export const typeExamples: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  it: { equipment_id: 'IT-0001', name: 'Laptop 14-inch', equipment_class: 'laptop' },
  other: { equipment_id: 'EQ-0101', name: 'Sample fridge', equipment_class: 'fridge' },
  scientific_equipment: {
    name: 'Analytical balance',
    purchase_institutional_code: 'lab-instruments',
    quantity: '1',
  },
  it_equipment: { name: 'Laptops', purchase_institutional_code: 'it-hardware', quantity: '5' },
  biological_chemical_gaseous_product: {
    name: 'Ethanol',
    purchase_institutional_code: 'chemicals',
  },
  services: {
    name: 'Instrument service contract',
    total_spent_amount: '4800',
    purchase_institutional_code: 'maintenance',
    quantity: '1',
  },
  vehicles: {
    name: 'Utility van',
    total_spent_amount: '32000',
    purchase_institutional_code: 'cars',
    quantity: '1',
  },
  other_purchases: { name: 'Office chairs', purchase_institutional_code: 'furniture' },
}

/**
 * The template of a data-entry type: comment lines explaining each column, the header, and
 * example rows. Returns undefined for an unknown or not yet supported type.
 */
export function dataTemplate(dataEntryTypeKey: string): string | undefined {
  const type = findDataEntryTypeByKey(dataEntryTypeKey)
  const formatKey = type && dataFormatOfType[type.id]
  if (!type || !formatKey) return undefined
  const columns = dataUploadColumns(dataFormats[formatKey], true)
  const lines = [
    `# Carbon Sync template: ${type.label} (data-entry type ${type.id}, ${type.key})`,
    '# Lines starting with # are comments. Delimiter , or ; ; decimals with a dot; UTF-8.',
    ...columns.map(describe),
    columns.map((c) => c.name).join(','),
    columns.map((c) => quote(typeExamples[type.key]?.[c.name] ?? c.example)).join(','),
  ]
  return lines.join('\n') + '\n'
}
