import { sql } from 'drizzle-orm'
import type { FactorRow } from '@carbon-sync/shared'
import { rows, type Db, type Tenant } from '../client.ts'

/** Factors of one institution, data-entry type and year. */
export async function readFactors(
  db: Db,
  tenant: Tenant,
  dataEntryTypeId: number,
  year: number,
): Promise<FactorRow[]> {
  return rows<FactorRow>(
    db,
    sql`SELECT classification, "values" FROM factors
        WHERE institution_id = ${tenant.institutionId} AND data_entry_type_id = ${dataEntryTypeId} AND year = ${year}
        ORDER BY classification_key`,
  )
}

export async function readAirports(db: Db, tenant: Tenant) {
  return rows<{ iata_code: string; latitude: number; longitude: number }>(
    db,
    sql`SELECT iata_code, latitude, longitude FROM locations WHERE institution_id = ${tenant.institutionId} AND transport_mode = 'plane'`,
  )
}

export async function readStations(db: Db, tenant: Tenant) {
  return rows<{ country_code: string; name: string; latitude: number; longitude: number }>(
    db,
    sql`SELECT country_code, name, latitude, longitude FROM locations WHERE institution_id = ${tenant.institutionId} AND transport_mode = 'train'`,
  )
}

export async function readCurrencyRates(db: Db, tenant: Tenant, year: number) {
  return rows<{ currency: string; rate: number }>(
    db,
    sql`SELECT currency, rate_to_chf::float8 AS rate FROM currency_rates WHERE institution_id = ${tenant.institutionId} AND year = ${year}`,
  )
}
