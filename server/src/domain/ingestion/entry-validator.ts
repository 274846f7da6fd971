import {
  compileRowReader,
  dataFormatFor,
  dataUploadColumns,
  toEntryData,
  type CellValue,
  type CsvRecord,
  type EmissionOutcome,
  type DataFormat,
  type EntryData,
  type RowReader,
} from '@carbon-sync/shared'
import type { RowError } from './row-errors.ts'

/**
 * Turns the records of a data file into entries or row errors, one record at a time, the same
 * way for an ingestion and for a dry run.
 */
export interface ValidEntry {
  unitId: number
  data: Record<string, CellValue>
}

export interface EntryValidatorOptions {
  dataEntryTypeId: number
  header: readonly string[]
  /** Units of the institution by institutional id. */
  unitsByInstitutionalId: ReadonlyMap<string, number>
  /** The unit an upload was made for (rows then carry no unit column). */
  fixedUnitId: number | null
  /** Values of the format's unique column already taken in the module and year. */
  takenUniqueValues: ReadonlySet<string>
}

export class EntryValidator {
  readonly format: DataFormat
  readonly reader: RowReader
  private readonly seen = new Map<string, number>()

  constructor(private readonly options: EntryValidatorOptions) {
    const format = dataFormatFor(options.dataEntryTypeId)
    if (!format) throw new Error(`data-entry type ${options.dataEntryTypeId} is not supported`)
    this.format = format
    this.reader = compileRowReader(
      dataUploadColumns(format, options.fixedUnitId === null),
      options.header,
      format.checkRow,
    )
  }

  /** A record made only of blanks is not a row at all (spreadsheets export them). */
  static isBlank(record: CsvRecord): boolean {
    return record.cells.every((c) => c.trim() === '')
  }

  validate(record: CsvRecord): ValidEntry | RowError {
    const fail = (column: string | null, code: string, message: string): RowError => ({
      row: record.line,
      column,
      code,
      message,
      cells: record.cells,
    })
    if (record.malformed) return fail(null, record.malformed.code, record.malformed.message)
    const { values, issues } = this.reader.read(record.cells)
    if (issues.length > 0) {
      const [first] = issues
      return fail(first!.column, first!.code, issues.map((i) => i.message).join('; '))
    }
    const { data, unitInstitutionalId } = toEntryData(values)
    let unitId = this.options.fixedUnitId
    if (unitId === null) {
      unitId = this.options.unitsByInstitutionalId.get(unitInstitutionalId ?? '') ?? null
      if (unitId === null) {
        return fail(
          'unit_institutional_id',
          'unknown_unit',
          `no unit "${unitInstitutionalId}" in your institution`,
        )
      }
    }
    const uniqueColumn = this.format.uniqueColumn
    if (uniqueColumn) {
      const value = String(data[uniqueColumn])
      const firstLine = this.seen.get(value)
      if (firstLine !== undefined) {
        return fail(
          uniqueColumn,
          'duplicate',
          `${uniqueColumn} "${value}" already appears on line ${firstLine}`,
        )
      }
      if (this.options.takenUniqueValues.has(value)) {
        return fail(
          uniqueColumn,
          'duplicate',
          `${uniqueColumn} "${value}" already has an entry this year`,
        )
      }
      this.seen.set(value, record.line)
    }
    return { unitId, data }
  }
}

export function isRowError(v: ValidEntry | RowError): v is RowError {
  return 'code' in v
}

export type EmissionFn = (data: EntryData) => EmissionOutcome
