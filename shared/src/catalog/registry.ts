import {
  isRowIssue,
  normalizeHeader,
  parseCell,
  type CellValue,
  type ColumnSpec,
  type RowIssue,
} from './columns.ts'
import {
  OVERRIDE_KEY,
  dataFormats,
  overrideColumn,
  referenceFormats,
  unitColumn,
  type DataFormat,
  type DataFormatKey,
  type ReferenceFormatKey,
} from './formats.ts'
import { dataEntryTypes, findDataEntryType, type DataEntryTypeDef } from './modules.ts'

/**
 * The catalog registry: which data-entry types are supported and with which format.
 * Adding a data-entry type is adding a line here (and a format if it has a new one).
 */
export const dataFormatOfType: Readonly<Record<number, DataFormatKey>> = {
  1: 'member',
  20: 'plane',
  21: 'train',
  31: 'energy_combustion',
  10: 'equipment',
  11: 'equipment',
  12: 'equipment',
  60: 'purchases',
  61: 'purchases',
  62: 'purchases',
  63: 'purchases',
  64: 'purchases',
  65: 'purchases',
  66: 'purchases',
  40: 'external_clouds',
  41: 'external_ai',
  50: 'process_emissions',
}

/** Reference data a data-entry type accepts: locations for travel, currency rates for spend. */
export const referenceFormatOfType: Readonly<Record<number, ReferenceFormatKey>> = {
  20: 'locations',
  21: 'locations',
  40: 'currency_rates',
  60: 'currency_rates',
  61: 'currency_rates',
  62: 'currency_rates',
  63: 'currency_rates',
  64: 'currency_rates',
  65: 'currency_rates',
  66: 'currency_rates',
}

export function dataFormatFor(dataEntryTypeId: number): DataFormat | undefined {
  const key = dataFormatOfType[dataEntryTypeId]
  return key ? dataFormats[key] : undefined
}

export function isSupportedType(dataEntryTypeId: number): boolean {
  return dataFormatOfType[dataEntryTypeId] !== undefined
}

export function supportedTypes(): DataEntryTypeDef[] {
  return dataEntryTypes.filter((t) => isSupportedType(t.id))
}

/** Columns of a data upload, in template order: format columns, then override, then unit. */
export function dataUploadColumns(format: DataFormat, withUnitColumn: boolean): ColumnSpec[] {
  return [...(withUnitColumn ? [unitColumn] : []), ...format.columns, overrideColumn]
}

export function factorColumns(format: DataFormat): ColumnSpec[] {
  return [...format.factorClassification, ...format.factorValues]
}

export function referenceColumns(key: ReferenceFormatKey): readonly ColumnSpec[] {
  return referenceFormats[key]
}

export interface HeaderCheck {
  /** Required columns the header lacks. */
  missing: string[]
  /** Header cells that name no column of the format (ignored, reported as a warning). */
  unknown: string[]
  /** Repeated header cells (the first one is used). */
  duplicated: string[]
}

export interface RowRead {
  /** Parsed values by column name; blank optional cells are absent. */
  values: Record<string, CellValue>
  /** Problems; the row is invalid when there is at least one. */
  issues: RowIssue[]
}

export interface RowReader {
  header: HeaderCheck
  /** Parses one record's cells against the columns. */
  read(cells: readonly string[]): RowRead
}

/** Maps a file's header onto columns once, so that each row is read by index. */
export function compileRowReader(
  columns: readonly ColumnSpec[],
  headerCells: readonly string[],
  checkRow?: (values: Readonly<Record<string, CellValue>>) => string | null,
): RowReader {
  const byName = new Map(columns.map((c) => [c.name, c]))
  const indexOf = new Map<string, number>()
  const unknown: string[] = []
  const duplicated: string[] = []
  headerCells.forEach((raw, i) => {
    const name = normalizeHeader(raw)
    if (name === '') return
    if (!byName.has(name)) unknown.push(raw.trim())
    else if (indexOf.has(name)) duplicated.push(name)
    else indexOf.set(name, i)
  })
  const missing = columns.filter((c) => c.required && !indexOf.has(c.name)).map((c) => c.name)
  const present = columns
    .filter((c) => indexOf.has(c.name))
    .map((c) => [c, indexOf.get(c.name)!] as const)
  const width = headerCells.length
  return {
    header: { missing, unknown, duplicated },
    read(cells) {
      const values: Record<string, CellValue> = {}
      const issues: RowIssue[] = []
      if (cells.length > width && cells.slice(width).some((c) => c.trim() !== '')) {
        issues.push({
          column: null,
          code: 'too_many_cells',
          message: `the row has ${cells.length} cells but the header has ${width}`,
        })
      }
      for (const [spec, i] of present) {
        const parsed = parseCell(spec, cells[i])
        if (parsed === undefined) continue
        if (isRowIssue(parsed)) issues.push(parsed)
        else values[spec.name] = parsed
      }
      if (issues.length === 0 && checkRow) {
        const problem = checkRow(values)
        if (problem) issues.push({ column: null, code: 'invalid_row', message: problem })
      }
      return { values, issues }
    },
  }
}

/**
 * Splits a data row's parsed values into the entry's stored data (override under its
 * reserved key) and the unit it names.
 */
export function toEntryData(values: Record<string, CellValue>): {
  data: Record<string, CellValue>
  unitInstitutionalId: string | undefined
} {
  const { kg_co2eq: override, unit_institutional_id: unit, ...data } = values
  if (override !== undefined) data[OVERRIDE_KEY] = override
  return { data, unitInstitutionalId: unit === undefined ? undefined : String(unit) }
}

/**
 * The cells of a stored entry in template order (dataUploadColumns with the unit column): what
 * its row would look like in a file, for a CSV of entries that need attention.
 */
export function entryCells(
  format: DataFormat,
  data: Readonly<Record<string, CellValue>>,
  unitInstitutionalId: string,
): string[] {
  return dataUploadColumns(format, true).map((c) => {
    if (c.name === unitColumn.name) return unitInstitutionalId
    const value = c.name === overrideColumn.name ? data[OVERRIDE_KEY] : data[c.name]
    return value === undefined || value === null ? '' : String(value)
  })
}

export function describeType(dataEntryTypeId: number): string {
  return findDataEntryType(dataEntryTypeId)?.label ?? `type ${dataEntryTypeId}`
}
