import {
  dataFormatOfType,
  prepareEmission,
  stationKey,
  type EmissionInputs,
  type EmissionOutcome,
  type EntryData,
} from '@carbon-sync/shared'
import type { Db, Tenant } from '../../db/client.ts'
import {
  readAirports,
  readCurrencyRates,
  readFactors,
  readStations,
} from '../../db/queries/emission-inputs.ts'

/**
 * Everything the formula of a data-entry type needs for one institution and year, read once
 * per job: its factors, and the locations or exchange rates its format uses.
 */
export async function loadEmissionInputs(
  db: Db,
  tenant: Tenant,
  dataEntryTypeId: number,
  year: number,
): Promise<EmissionInputs> {
  const format = dataFormatOfType[dataEntryTypeId]
  const [factors, airports, stations, rates] = await Promise.all([
    readFactors(db, tenant, dataEntryTypeId, year),
    format === 'plane' ? readAirports(db, tenant) : [],
    format === 'train' ? readStations(db, tenant) : [],
    format === 'purchases' || format === 'external_clouds'
      ? readCurrencyRates(db, tenant, year)
      : [],
  ])
  return {
    factors,
    airports: new Map(
      airports.map((a) => [a.iata_code, { latitude: a.latitude, longitude: a.longitude }]),
    ),
    stations: new Map(
      stations.map((s) => [
        stationKey(s.country_code, s.name),
        { latitude: s.latitude, longitude: s.longitude },
      ]),
    ),
    ratesToChf: new Map(rates.map((r) => [r.currency, r.rate])),
  }
}

/** The emission function of a data-entry type, with its inputs loaded. */
export async function emissionFunction(
  db: Db,
  tenant: Tenant,
  dataEntryTypeId: number,
  year: number,
): Promise<(data: EntryData) => EmissionOutcome> {
  const format = dataFormatOfType[dataEntryTypeId]
  if (!format) throw new Error(`data-entry type ${dataEntryTypeId} has no formula`)
  return prepareEmission(format, await loadEmissionInputs(db, tenant, dataEntryTypeId, year))
}
