import { sql } from 'drizzle-orm'
import type { FactorRow } from '@carbon-sync/shared'
import { rows, type Db } from '../client.ts'

/** Factors of one institution, data-entry type and year. */
export async function readFactors(
  db: Db,
  institutionId: number,
  dataEntryTypeId: number,
  year: number,
): Promise<FactorRow[]> {
  return rows<FactorRow>(
    db,
    sql`SELECT classification, "values" FROM factors
        WHERE institution_id = ${institutionId} AND data_entry_type_id = ${dataEntryTypeId} AND year = ${year}
        ORDER BY classification_key`,
  )
}

export async function readAirports(db: Db, institutionId: number) {
  return rows<{ iata_code: string; latitude: number; longitude: number }>(
    db,
    sql`SELECT iata_code, latitude, longitude FROM locations WHERE institution_id = ${institutionId} AND transport_mode = 'plane'`,
  )
}

export async function readStations(db: Db, institutionId: number) {
  return rows<{ country_code: string; name: string; latitude: number; longitude: number }>(
    db,
    sql`SELECT country_code, name, latitude, longitude FROM locations WHERE institution_id = ${institutionId} AND transport_mode = 'train'`,
  )
}

export async function readCurrencyRates(db: Db, institutionId: number, year: number) {
  return rows<{ currency: string; rate: number }>(
    db,
    sql`SELECT currency, rate_to_chf::float8 AS rate FROM currency_rates WHERE institution_id = ${institutionId} AND year = ${year}`,
  )
}
