import { dataFormatFor, readCsv, type CsvRecord } from '@carbon-sync/shared'
import type { Database } from '../../db/client.ts'
import {
  aggregatedTotal,
  existingUniqueValues,
  readUnits,
  replacedKg,
  type EntryScope,
} from '../../db/queries/entries.ts'
import type { Scope } from '../auth/scope.ts'
import { emissionFunction } from '../emissions/emission-inputs.ts'
import { EntryValidator, isRowError } from '../ingestion/entry-validator.ts'
import { readFactorRows } from '../ingestion/factor-rows.ts'
import { readReferenceRows } from '../ingestion/reference-ingest.ts'
import { firstErrorsInMeta, type RowError } from '../ingestion/row-errors.ts'
import { fileError, preflight } from './preflight.ts'
import { uploadColumns } from './upload-columns.ts'
import { checkUploadRequest, type UploadRequest } from './upload-request.ts'

export interface DryRunReport {
  rowsTotal: number
  rowsValid: number
  rowsInvalid: number
  errors: { row: number; column: string | null; code: string; message: string }[]
  /** Rows that would be stored without emission, and the first of them with why. */
  rowsWithoutEmission: number
  rowWarnings: { row: number; column: string | null; code: string; message: string }[]
  warnings: string[]
  /** kg CO2-eq of the module before and after, for data files; null for factors and reference data. */
  impact: { beforeKgCo2eq: number; afterKgCo2eq: number } | null
}

/**
 * A dry run (SPEC §5.4): the whole file parsed and validated as the job would, emissions
 * computed with the current factors (rows that would have none are row warnings), nothing
 * stored.
 */
export async function dryRunUpload(
  database: Database,
  scope: Scope,
  request: UploadRequest,
  chunks: readonly Buffer[],
): Promise<DryRunReport> {
  await checkUploadRequest(database.db, scope, request)
  const columns = uploadColumns(request.kind, request.dataEntryTypeId, request.unitId === null)!
  const checked = await preflight(chunks, columns)
  const warnings =
    checked.unknownColumns.length > 0
      ? [`Unknown columns ignored: ${checked.unknownColumns.join(', ')}`]
      : []
  const { header, records } = await readAll(chunks)
  const first = (list: readonly RowError[]) =>
    list
      .slice(0, firstErrorsInMeta)
      .map(({ row, column, code, message }) => ({ row, column, code, message }))
  const report = (
    valid: number,
    errors: RowError[],
    impact: DryRunReport['impact'],
    withoutEmission: { count: number; first: RowError[] } = { count: 0, first: [] },
  ): DryRunReport => ({
    rowsTotal: valid + errors.length,
    rowsValid: valid,
    rowsInvalid: errors.length,
    errors: first(errors),
    rowsWithoutEmission: withoutEmission.count,
    rowWarnings: first(withoutEmission.first),
    warnings,
    impact,
  })
  if (request.kind === 'factors') {
    const { factors, errors } = readFactorRows(request.dataEntryTypeId, header, records)
    return report(factors.length, errors, null)
  }
  if (request.kind === 'reference') {
    const { locations, rates, errors } = readReferenceRows(request.dataEntryTypeId, header, records)
    return report(locations.length + rates.size, errors, null)
  }

  const entryScope: EntryScope = {
    institutionId: scope.institutionId,
    dataEntryTypeId: request.dataEntryTypeId,
    year: request.year,
    unitId: request.unitId,
  }
  const unique = uploadUniqueColumn(request.dataEntryTypeId)
  const taken = unique
    ? await existingUniqueValues(
        database.db,
        {
          institutionId: scope.institutionId,
          moduleTypeId: request.moduleTypeId,
          year: request.year,
          column: unique,
        },
        request.mode === 'replace' ? entryScope : null,
      )
    : new Set<string>()
  const validator = new EntryValidator({
    dataEntryTypeId: request.dataEntryTypeId,
    header,
    unitsByInstitutionalId: new Map(
      (await readUnits(database.db, scope)).map((u) => [u.institutional_id, u.id]),
    ),
    fixedUnitId: request.unitId,
    takenUniqueValues: taken,
  })
  const emission = await emissionFunction(database.db, scope, request.dataEntryTypeId, request.year)
  const errors: RowError[] = []
  // Counted whole, kept only as far as the report shows them.
  const withoutEmission = { count: 0, first: [] as RowError[] }
  let valid = 0
  let newKg = 0
  for (const record of records) {
    const entry = validator.validate(record)
    if (isRowError(entry)) {
      errors.push(entry)
      continue
    }
    valid++
    const outcome = emission(entry.data)
    if (outcome.kg !== null) newKg += outcome.kg
    else if (withoutEmission.count++ < firstErrorsInMeta)
      withoutEmission.first.push({
        row: record.line,
        column: null,
        code: outcome.code,
        message: outcome.message,
        cells: [],
      })
  }
  const before = await aggregatedTotal(database.db, scope, request.moduleTypeId, request.year)
  const replaced = request.mode === 'replace' ? await replacedKg(database.db, entryScope) : 0
  return report(
    valid,
    errors,
    { beforeKgCo2eq: before, afterKgCo2eq: valid === 0 ? before : before - replaced + newKg },
    withoutEmission,
  )
}

function uploadUniqueColumn(dataEntryTypeId: number): string | undefined {
  return dataFormatFor(dataEntryTypeId)?.uniqueColumn
}

async function readAll(
  chunks: readonly Buffer[],
): Promise<{ header: string[]; records: CsvRecord[] }> {
  let header: string[] | undefined
  const records: CsvRecord[] = []
  try {
    for await (const batch of readCsv(chunks)) {
      for (const record of batch) {
        if (!header) header = record.cells
        else if (!EntryValidator.isBlank(record)) records.push(record)
      }
    }
  } catch (error) {
    throw fileError(error)
  }
  return { header: header ?? [], records }
}
