import { compileRowReader, dataFormatFor, factorColumns, type CsvRecord } from '@carbon-sync/shared'
import type { FactorUpsert } from '../../db/queries/reference-data.ts'
import type { RowError } from './row-errors.ts'

/**
 * Reads factor rows: classification values lower-cased ('' when blank) and joined into the
 * upsert key, values as numbers. A classification repeated in the file is an error on the
 * later row, rather than a silent last-one-wins.
 */
export function readFactorRows(
  dataEntryTypeId: number,
  header: readonly string[],
  records: readonly CsvRecord[],
): { factors: FactorUpsert[]; errors: RowError[]; unknownColumns: string[] } {
  const format = dataFormatFor(dataEntryTypeId)
  if (!format) throw new Error(`data-entry type ${dataEntryTypeId} has no factors`)
  const reader = compileRowReader(factorColumns(format), header)
  const factors: FactorUpsert[] = []
  const errors: RowError[] = []
  const seen = new Map<string, number>()
  for (const record of records) {
    const fail = (column: string | null, code: string, message: string) =>
      errors.push({ row: record.line, column, code, message, cells: record.cells })
    if (record.malformed) {
      fail(null, record.malformed.code, record.malformed.message)
      continue
    }
    const { values, issues } = reader.read(record.cells)
    if (issues.length > 0) {
      fail(issues[0]!.column, issues[0]!.code, issues.map((i) => i.message).join('; '))
      continue
    }
    const classification: Record<string, string> = {}
    for (const c of format.factorClassification)
      classification[c.name] = String(values[c.name] ?? '').toLowerCase()
    const numbers: Record<string, number> = {}
    for (const c of format.factorValues) numbers[c.name] = values[c.name] as number
    if (format.key === 'plane' && numbers['min_distance']! >= numbers['max_distance']!) {
      fail('max_distance', 'invalid_row', 'max_distance must be greater than min_distance')
      continue
    }
    const key = format.factorClassification.map((c) => classification[c.name]).join('\u001f')
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      fail(null, 'duplicate', `the same classification is already on line ${earlier}`)
      continue
    }
    seen.set(key, record.line)
    factors.push({ classification, classificationKey: key, values: numbers })
  }
  return { factors, errors, unknownColumns: reader.header.unknown }
}
