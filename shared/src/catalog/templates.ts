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
    columns.map((c) => quote(c.example)).join(','),
  ]
  return lines.join('\n') + '\n'
}
