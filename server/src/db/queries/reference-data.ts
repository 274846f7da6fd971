import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

export interface FactorUpsert {
  classification: Record<string, string>
  classificationKey: string
  values: Record<string, number>
}

/**
 * Inserts or updates factors by (institution, data-entry type, year, classification); never
 * deletes a factor the file does not mention. Returns how many were new or changed.
 */
export async function upsertFactors(
  tx: Db,
  s: { institutionId: number; dataEntryTypeId: number; year: number; jobId: number | null },
  factors: readonly FactorUpsert[],
): Promise<number> {
  let changed = 0
  for (let i = 0; i < factors.length; i += 500) {
    const chunk = factors.slice(i, i + 500)
    const values = sql.join(
      chunk.map(
        (f) =>
          sql`(${s.institutionId}, ${s.dataEntryTypeId}, ${s.year}, ${JSON.stringify(f.classification)}::jsonb, ${f.classificationKey}, ${JSON.stringify(f.values)}::jsonb, ${s.jobId})`,
      ),
      sql`, `,
    )
    const done = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO factors (institution_id, data_entry_type_id, year, classification, classification_key, "values", job_id)
          VALUES ${values}
          ON CONFLICT (institution_id, data_entry_type_id, year, classification_key) DO UPDATE
            SET "values" = excluded."values", classification = excluded.classification, job_id = excluded.job_id, updated_at = now()
            WHERE factors."values" IS DISTINCT FROM excluded."values"
          RETURNING id`,
    )
    changed += done.length
  }
  return changed
}

export interface LocationUpsert {
  transportMode: 'plane' | 'train'
  name: string
  iataCode: string | null
  countryCode: string | null
  latitude: number
  longitude: number
  municipality: string | null
}

/** Upserts locations by (plane, IATA code) or (train, country, lower-cased name); returns how many were new or moved. */
export async function upsertLocations(
  tx: Db,
  s: { institutionId: number; jobId: number | null },
  locations: readonly LocationUpsert[],
): Promise<number> {
  let changed = 0
  for (const mode of ['plane', 'train'] as const) {
    const ofMode = locations.filter((l) => l.transportMode === mode)
    const target =
      mode === 'plane'
        ? sql`(institution_id, iata_code) WHERE transport_mode = 'plane'`
        : sql`(institution_id, country_code, name_key) WHERE transport_mode = 'train'`
    for (let i = 0; i < ofMode.length; i += 500) {
      const chunk = ofMode.slice(i, i + 500)
      const values = sql.join(
        chunk.map(
          (l) =>
            sql`(${s.institutionId}, ${mode}, ${l.name}, ${l.name.trim().toLowerCase()}, ${l.iataCode}, ${l.countryCode}, ${l.latitude}::float8, ${l.longitude}::float8, ${l.municipality}, ${s.jobId})`,
        ),
        sql`, `,
      )
      const done = await rows<{ id: number }>(
        tx,
        sql`INSERT INTO locations (institution_id, transport_mode, name, name_key, iata_code, country_code, latitude, longitude, municipality, job_id)
            VALUES ${values}
            ON CONFLICT ${target} DO UPDATE
              SET name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude,
                  municipality = excluded.municipality, job_id = excluded.job_id
              WHERE (locations.latitude, locations.longitude, locations.name, locations.municipality)
                    IS DISTINCT FROM (excluded.latitude, excluded.longitude, excluded.name, excluded.municipality)
            RETURNING id`,
      )
      changed += done.length
    }
  }
  return changed
}

/** Upserts a year's exchange rates; returns how many were new or changed. */
export async function upsertCurrencyRates(
  tx: Db,
  s: { institutionId: number; year: number; jobId: number | null },
  rates: readonly { currency: string; rateToChf: number }[],
): Promise<number> {
  if (rates.length === 0) return 0
  const values = sql.join(
    rates.map(
      (r) =>
        sql`(${s.institutionId}, ${s.year}, ${r.currency}, ${String(r.rateToChf)}::numeric, ${s.jobId})`,
    ),
    sql`, `,
  )
  const done = await rows<{ currency: string }>(
    tx,
    sql`INSERT INTO currency_rates (institution_id, year, currency, rate_to_chf, job_id) VALUES ${values}
        ON CONFLICT (institution_id, year, currency) DO UPDATE
          SET rate_to_chf = excluded.rate_to_chf, job_id = excluded.job_id
          WHERE currency_rates.rate_to_chf IS DISTINCT FROM excluded.rate_to_chf
        RETURNING currency`,
  )
  return done.length
}
