import {
  compileRowReader,
  findDataEntryType,
  referenceColumns,
  referenceFormatOfType,
  type CsvRecord,
} from '@carbon-sync/shared'
import {
  upsertCurrencyRates,
  upsertLocations,
  type LocationUpsert,
} from '../../db/queries/reference-data.ts'
import type { JobRequest } from '../pipeline/enqueue.ts'
import type { JobHandler } from '../pipeline/job-context.ts'
import { readUploadTable } from './read-table.ts'
import { RowErrorCollector, type RowError } from './row-errors.ts'

/** Data-entry types whose emissions use exchange rates. */
export const rateDependentTypes = [40, 60, 61, 62, 63, 64, 65, 66] as const

function recalc(dataEntryTypeId: number, year: number): JobRequest {
  return {
    jobType: 'emission_recalc',
    moduleTypeId: findDataEntryType(dataEntryTypeId)!.moduleTypeId,
    dataEntryTypeId,
    year,
    targetType: 'data_entries',
    ingestionMethod: 'computed',
  }
}

/**
 * reference_ingest: airports (type 20), train stations (21) or a year's exchange rates (spend
 * types). It chains nothing unless something changed: then the recalculation of the types
 * whose emissions depend on it, for the upload's year.
 */
export const referenceIngest: JobHandler = async (ctx) => {
  const { job, database } = ctx
  const dataEntryTypeId = job.dataEntryTypeId!
  const key = referenceFormatOfType[dataEntryTypeId]
  if (!key) throw new Error(`data-entry type ${dataEntryTypeId} takes no reference data`)
  const { header, records } = await readUploadTable(database.db, job.uploadId!)
  const {
    locations,
    rates,
    errors: rowErrors,
    unknownColumns,
  } = readReferenceRows(dataEntryTypeId, header.cells, records)
  const errors = new RowErrorCollector()
  for (const e of rowErrors) errors.add(e)
  const valid = key === 'currency_rates' ? rates.size : locations.length
  await ctx.finish(async (tx) => {
    await errors.store(database, tx, job.id, job.institutionId)
    const meta = {
      counts: {
        rowsTotal: records.length,
        rowsInserted: valid,
        rowsFailed: errors.count,
        rowsWithoutEmission: 0,
      },
      firstErrors: errors.first(),
      warnings:
        unknownColumns.length > 0 ? [`Unknown columns ignored: ${unknownColumns.join(', ')}`] : [],
    }
    if (valid === 0)
      return { result: 'ERROR', message: `No valid row: all ${errors.count} rows failed`, meta }
    const changed =
      key === 'currency_rates'
        ? await upsertCurrencyRates(
            tx,
            { institutionId: job.institutionId, year: job.year, jobId: job.id },
            [...rates].map(([currency, rateToChf]) => ({ currency, rateToChf })),
          )
        : await upsertLocations(tx, { institutionId: job.institutionId, jobId: job.id }, locations)
    const children =
      changed === 0
        ? []
        : key === 'currency_rates'
          ? rateDependentTypes.map((t) => recalc(t, job.year))
          : [recalc(dataEntryTypeId, job.year)]
    return {
      result: errors.count > 0 ? 'WARNING' : 'SUCCESS',
      message: `${valid} rows read, ${changed} new or changed${errors.count > 0 ? `, ${errors.count} rows failed` : ''}${changed === 0 ? '; nothing to recalculate' : ''}`,
      meta,
      children,
    }
  })
}

/** Reads the rows of a reference file: locations for types 20 and 21, exchange rates otherwise. */
export function readReferenceRows(
  dataEntryTypeId: number,
  header: readonly string[],
  records: readonly CsvRecord[],
): {
  locations: LocationUpsert[]
  rates: Map<string, number>
  errors: RowError[]
  unknownColumns: string[]
} {
  const key = referenceFormatOfType[dataEntryTypeId]
  if (!key) throw new Error(`data-entry type ${dataEntryTypeId} takes no reference data`)
  const reader = compileRowReader(referenceColumns(key), header)
  const errors = new RowErrorCollector()
  const locations: LocationUpsert[] = []
  const rates = new Map<string, number>()
  const mode = dataEntryTypeId === 20 ? 'plane' : 'train'
  // The upsert key of each row seen (SPEC §3), and its line: a file that names the same
  // airport, station or currency twice is ambiguous, so the later rows are row errors.
  const seen = new Map<string, number>()
  const firstOf = (key: string, line: number): number | undefined => {
    const earlier = seen.get(key)
    if (earlier === undefined) seen.set(key, line)
    return earlier
  }
  for (const record of records) {
    const values = readRow(reader, record, errors)
    if (!values) continue
    const fail = (column: string, code: string, message: string) =>
      errors.add({ row: record.line, column, code, message, cells: record.cells })
    if (key === 'currency_rates') {
      const currency = String(values['currency'])
      const earlier = firstOf(currency.toLowerCase(), record.line)
      if (earlier !== undefined) {
        fail('currency', 'duplicate', `${currency} already has a rate on line ${earlier}`)
        continue
      }
      rates.set(currency, values['rate_to_chf'] as number)
      continue
    }
    if (values['transport_mode'] !== mode) {
      fail(
        'transport_mode',
        'invalid_value',
        `this upload is for ${mode === 'plane' ? 'airports' : 'train stations'}: transport_mode must be ${mode}`,
      )
      continue
    }
    if (mode === 'plane' && !values['iata_code']) {
      fail('iata_code', 'required', 'iata_code is required for an airport')
      continue
    }
    if (mode === 'train' && !values['country_code']) {
      fail('country_code', 'required', 'country_code is required for a train station')
      continue
    }
    const place =
      mode === 'plane'
        ? `airport ${String(values['iata_code']).toUpperCase()}`
        : `station ${String(values['name'])} (${String(values['country_code']).toUpperCase()})`
    const earlier = firstOf(
      mode === 'plane'
        ? String(values['iata_code']).toUpperCase()
        : `${String(values['country_code']).toUpperCase()}:${String(values['name']).trim().toLowerCase()}`,
      record.line,
    )
    if (earlier !== undefined) {
      fail(
        mode === 'plane' ? 'iata_code' : 'name',
        'duplicate',
        `the ${place} is already on line ${earlier}`,
      )
      continue
    }
    locations.push({
      transportMode: mode,
      name: String(values['name']),
      iataCode: (values['iata_code'] as string | undefined) ?? null,
      countryCode: (values['country_code'] as string | undefined) ?? null,
      latitude: values['latitude'] as number,
      longitude: values['longitude'] as number,
      municipality: (values['municipality'] as string | undefined) ?? null,
    })
  }
  return { locations, rates, errors: errors.kept, unknownColumns: reader.header.unknown }
}

function readRow(
  reader: ReturnType<typeof compileRowReader>,
  record: CsvRecord,
  errors: RowErrorCollector,
): Record<string, string | number> | undefined {
  const error = (column: string | null, code: string, message: string): RowError => ({
    row: record.line,
    column,
    code,
    message,
    cells: record.cells,
  })
  if (record.malformed) {
    errors.add(error(null, record.malformed.code, record.malformed.message))
    return undefined
  }
  const { values, issues } = reader.read(record.cells)
  if (issues.length > 0) {
    errors.add(error(issues[0]!.column, issues[0]!.code, issues.map((i) => i.message).join('; ')))
    return undefined
  }
  return values
}
