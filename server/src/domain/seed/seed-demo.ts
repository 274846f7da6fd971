import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import {
  upsertCurrencyRates,
  upsertFactors,
  upsertLocations,
} from '../../db/queries/reference-data.ts'
import {
  insertInstitution,
  insertUnit,
  insertUser,
  institutionCount,
  lockSeed,
} from '../../db/queries/seed.ts'
import type { Logger } from '../../log.ts'
import { hashPassword } from '../auth/passwords.ts'
import { readFactorRows } from '../ingestion/factor-rows.ts'
import { readReferenceRows } from '../ingestion/reference-ingest.ts'
import { createPipeline } from '../pipeline/enqueue.ts'
import { findDataEntryType } from '@carbon-sync/shared'
import {
  demoCurrencyRates,
  demoEntries,
  demoFactors,
  demoInstitutions,
  demoLocations,
} from './demo-data.ts'
import { tableRecords } from './seed-ingest.ts'

/**
 * The demo seed (SPEC §9), run once on an empty database: two institutions with units and
 * users, factors and exchange rates for the data year and the year after (by default the
 * previous and the current calendar year), airports and
 * stations, then one seed pipeline per data-entry type with a year of activity data, which the
 * worker runs like any other pipeline.
 */
export interface SeedSummary {
  seeded: boolean
  dataYear: number
  pipelines: number
}

export async function seedDemo(
  database: Database,
  config: Config,
  log: Logger,
  now = new Date(),
): Promise<SeedSummary> {
  const dataYear = config.DEMO_DATA_YEAR ?? now.getUTCFullYear() - 1
  const current = dataYear + 1
  if ((await institutionCount(database.db)) > 0) return { seeded: false, dataYear, pipelines: 0 }
  const started = Date.now()
  const passwordHash = await hashPassword(config.DEMO_PASSWORD)
  const locations = demoLocations()
  const airports = readReferenceRows(
    20,
    locations.airports.columns,
    tableRecords(locations.airports).slice(1),
  )
  const stations = readReferenceRows(
    21,
    locations.stations.columns,
    tableRecords(locations.stations).slice(1),
  )
  const pipelines = await database.db.transaction(async (tx) => {
    await lockSeed(tx)
    if ((await institutionCount(tx)) > 0) return 0
    let count = 0
    for (const inst of demoInstitutions) {
      const institutionId = await insertInstitution(tx, inst.name)
      for (const unit of inst.units)
        await insertUnit(tx, institutionId, unit.institutionalId, unit.name)
      let createdBy: number | null = null
      for (const user of inst.users) {
        const id = await insertUser(tx, {
          institutionId,
          email: user.email,
          displayName: user.displayName,
          passwordHash,
          role: user.role,
        })
        if (user.role === 'data_manager') createdBy = id
      }
      await upsertLocations(tx, { institutionId, jobId: null }, [
        ...airports.locations,
        ...stations.locations,
      ])
      for (const year of [dataYear, current]) {
        for (const { dataEntryTypeId, table } of demoFactors(year)) {
          const { factors, errors } = readFactorRows(
            dataEntryTypeId,
            table.columns,
            tableRecords(table).slice(1),
          )
          if (errors.length > 0)
            throw new Error(
              `demo factors of type ${dataEntryTypeId} are invalid: ${errors[0]!.message}`,
            )
          await upsertFactors(tx, { institutionId, dataEntryTypeId, year, jobId: null }, factors)
        }
        const rates = demoCurrencyRates(year)
        const read = readReferenceRows(60, rates.columns, tableRecords(rates).slice(1))
        await upsertCurrencyRates(
          tx,
          { institutionId, year, jobId: null },
          [...read.rates].map(([currency, rateToChf]) => ({ currency, rateToChf })),
        )
      }
      for (const { dataEntryTypeId } of demoEntries(inst.key, dataYear)) {
        const moduleTypeId = findDataEntryType(dataEntryTypeId)!.moduleTypeId
        await createPipeline(
          tx,
          { institutionId, kind: 'seed', moduleTypeId, dataEntryTypeId, year: dataYear, createdBy },
          {
            jobType: 'seed_ingest',
            moduleTypeId,
            dataEntryTypeId,
            year: dataYear,
            targetType: 'data_entries',
            ingestionMethod: 'seed',
            meta: {
              seed: { institutionKey: inst.key },
              mode: 'replace',
              unitId: null,
              inlineEmissions: true,
            },
          },
        )
        count++
      }
    }
    return count
  })
  if (pipelines > 0) log.info('demo data seeded', { dataYear, pipelines, ms: Date.now() - started })
  return { seeded: pipelines > 0, dataYear, pipelines }
}
