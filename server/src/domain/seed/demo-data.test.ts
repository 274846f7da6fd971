import { describe, expect, it } from 'vitest'
import {
  compileRowReader,
  dataFormatFor,
  dataFormatOfType,
  dataUploadColumns,
  factorColumns,
  findDataEntryType,
  prepareEmission,
  purchaseCurrencies,
  referenceColumns,
  stationKey,
  toEntryData,
  type CellValue,
  type ColumnSpec,
  type FactorRow,
  type GeoPoint,
} from '@carbon-sync/shared'
import {
  demoCurrencyRates,
  demoEntries,
  demoFactors,
  demoInstitutions,
  demoLocations,
  type DemoTable,
} from './demo-data.ts'

const years = [2025, 2024] as const
const keys = ['a', 'b'] as const
const firstWave = [1, 20, 21, 31, 10, 11, 12, 60, 61, 62, 63, 64, 65, 66, 40, 41, 50]

type Values = Record<string, CellValue>

/** Reads a table as the upload would: header check, then every row without issues. */
function readTable(
  columns: readonly ColumnSpec[],
  table: DemoTable,
  checkRow?: (values: Readonly<Values>) => string | null,
): Values[] {
  const reader = compileRowReader(columns, table.columns, checkRow)
  expect(reader.header).toEqual({ missing: [], unknown: [], duplicated: [] })
  const problems: unknown[] = []
  const rows = table.rows.map((cells, row) => {
    expect(cells).toHaveLength(table.columns.length)
    const { values, issues } = reader.read(cells)
    if (issues.length > 0) problems.push({ row, cells, issues })
    return values
  })
  expect(problems.slice(0, 5)).toEqual([])
  return rows
}

const locations = demoLocations()
const locationColumns = referenceColumns('locations')
const airports = new Map<string, GeoPoint>(
  readTable(locationColumns, locations.airports).map((v) => [
    String(v['iata_code']),
    { latitude: Number(v['latitude']), longitude: Number(v['longitude']) },
  ]),
)
const stations = new Map<string, GeoPoint>(
  readTable(locationColumns, locations.stations).map((v) => [
    stationKey(String(v['country_code']), String(v['name'])),
    { latitude: Number(v['latitude']), longitude: Number(v['longitude']) },
  ]),
)

function ratesToChf(year: number): Map<string, number> {
  const rows = readTable(referenceColumns('currency_rates'), demoCurrencyRates(year))
  return new Map(rows.map((v) => [String(v['currency']), Number(v['rate_to_chf'])]))
}

/** Factor rows as the server builds them: classification lower-cased, '' for blank. */
function factorRows(year: number): Map<number, FactorRow[]> {
  const byType = new Map<number, FactorRow[]>()
  for (const { dataEntryTypeId, table } of demoFactors(year)) {
    const format = dataFormatFor(dataEntryTypeId)!
    const rows = readTable(factorColumns(format), table).map((v) => ({
      classification: Object.fromEntries(
        format.factorClassification.map((c) => [c.name, String(v[c.name] ?? '').toLowerCase()]),
      ),
      values: Object.fromEntries(format.factorValues.map((c) => [c.name, Number(v[c.name])])),
    }))
    byType.set(dataEntryTypeId, rows)
  }
  return byType
}

interface TypeResult {
  rows: Values[]
  kg: number
  withoutEmission: { data: Values; code: string; message: string }[]
}

/** Validates and computes every table of one institution and year. */
function compute(key: 'a' | 'b', year: number): Map<number, TypeResult> {
  const factors = factorRows(year)
  const rates = ratesToChf(year)
  const results = new Map<number, TypeResult>()
  for (const { dataEntryTypeId, table } of demoEntries(key, year)) {
    const formatKey = dataFormatOfType[dataEntryTypeId]!
    const format = dataFormatFor(dataEntryTypeId)!
    const rows = readTable(dataUploadColumns(format, true), table, format.checkRow)
    const emission = prepareEmission(formatKey, {
      factors: factors.get(dataEntryTypeId) ?? [],
      airports,
      stations,
      ratesToChf: rates,
    })
    const result: TypeResult = { rows, kg: 0, withoutEmission: [] }
    for (const values of rows) {
      const outcome = emission(toEntryData(values).data)
      if (outcome.kg === null) result.withoutEmission.push({ data: values, ...outcome })
      else result.kg += outcome.kg
    }
    results.set(dataEntryTypeId, result)
  }
  return results
}

const computed = new Map(
  keys.flatMap((key) => years.map((year) => [`${key}/${year}`, compute(key, year)] as const)),
)

describe('demo institutions', () => {
  it('has the demo users and 4-6 units each', () => {
    expect(demoInstitutions.map((i) => i.name)).toEqual(['Demo University A', 'Demo University B'])
    expect(demoInstitutions[0]!.users.map((u) => [u.email, u.role])).toEqual([
      ['admin@demo-a.test', 'admin'],
      ['manager@demo-a.test', 'data_manager'],
      ['viewer@demo-a.test', 'viewer'],
    ])
    expect(demoInstitutions[1]!.users.map((u) => [u.email, u.role])).toEqual([
      ['admin@demo-b.test', 'admin'],
      ['manager@demo-b.test', 'data_manager'],
    ])
    for (const inst of demoInstitutions) {
      expect(inst.units.length).toBeGreaterThanOrEqual(4)
      expect(inst.units.length).toBeLessThanOrEqual(6)
    }
  })
})

describe('demo reference data and factors', () => {
  it('has every airport and station', () => {
    expect(airports.size).toBe(locations.airports.rows.length)
    expect(stations.size).toBe(locations.stations.rows.length)
    expect(airports.size).toBeGreaterThanOrEqual(200)
  })

  it.each(years)('has a factor table for every first-wave type and all rates (%i)', (year) => {
    expect(
      demoFactors(year)
        .map((f) => f.dataEntryTypeId)
        .sort(),
    ).toEqual([...firstWave].sort())
    const rates = ratesToChf(year)
    expect([...rates.keys()].sort()).toEqual(purchaseCurrencies.filter((c) => c !== 'chf'))
  })

  it.each(years)('prices the longest flight there can be, in every cabin (%i)', (year) => {
    // Two points on opposite sides of the Earth: half its circumference plus the detour
    // uplift, beyond which no great-circle trip goes.
    const ends = new Map<string, GeoPoint>([
      ['AAA', { latitude: 0, longitude: 0 }],
      ['ZZZ', { latitude: 0, longitude: 180 }],
    ])
    const plane = prepareEmission('plane', {
      factors: factorRows(year).get(20)!,
      airports: ends,
      stations,
      ratesToChf: ratesToChf(year),
    })
    for (const cabin_class of ['economy', 'business', 'first']) {
      const outcome = plane({ origin_iata: 'AAA', destination_iata: 'ZZZ', cabin_class })
      expect(outcome).toMatchObject({ code: 'computed' })
      expect(outcome.kg).toBeGreaterThan(0)
    }
  })

  it('changes factors from one year to the next', () => {
    const ef = (year: number) =>
      demoFactors(year)
        .find((f) => f.dataEntryTypeId === 31)!
        .table.rows.map((r) => r.at(-1))
    expect(ef(2024)).not.toEqual(ef(2025))
  })
})

describe.each(keys)('demo entries of institution %s', (key) => {
  const inst = demoInstitutions.find((i) => i.key === key)!
  const unitIds = new Set(inst.units.map((u) => u.institutionalId))

  it.each(years)('names only units of the institution, once per member (%i)', (year) => {
    const results = computed.get(`${key}/${year}`)!
    for (const { rows } of results.values()) {
      for (const v of rows) expect(unitIds).toContain(v['unit_institutional_id'])
    }
    const members = results.get(1)!.rows.map((v) => v['user_institutional_id'])
    expect(new Set(members).size).toBe(members.length)
  })

  it.each(years)('computes an emission for (nearly) every row (%i)', (year) => {
    const results = computed.get(`${key}/${year}`)!
    for (const [typeId, result] of results) {
      if (typeId === 20 || typeId === 21) {
        expect(result.withoutEmission.length).toBeLessThanOrEqual(0.02 * result.rows.length)
      } else {
        expect(result.withoutEmission).toEqual([])
      }
    }
  })

  it('is deterministic', () => {
    expect(demoEntries(key, 2025)).toEqual(demoEntries(key, 2025))
    expect(demoFactors(2025)).toEqual(demoFactors(2025))
    expect(demoCurrencyRates(2024)).toEqual(demoCurrencyRates(2024))
  })
})

describe('demo entries of institution a', () => {
  it.each(years)('has a mid-size department and emissions in every module (%i)', (year) => {
    const results = computed.get(`a/${year}`)!
    const count = (typeId: number) => results.get(typeId)?.rows.length ?? 0
    expect(count(1)).toBeGreaterThanOrEqual(60)
    expect(count(1)).toBeLessThanOrEqual(120)
    expect(count(20)).toBeGreaterThanOrEqual(150)
    expect(count(20)).toBeLessThanOrEqual(300)
    expect(count(21)).toBeGreaterThanOrEqual(80)
    expect(count(21)).toBeLessThanOrEqual(200)
    for (const typeId of firstWave) expect(count(typeId)).toBeGreaterThan(0)

    const byModule = new Map<number, number>()
    for (const [typeId, { kg }] of results) {
      const moduleId = findDataEntryType(typeId)!.moduleTypeId
      byModule.set(moduleId, (byModule.get(moduleId) ?? 0) + kg)
    }
    for (const moduleId of [1, 2, 3, 4, 5, 7, 8]) expect(byModule.get(moduleId)).toBeGreaterThan(0)

    if (year === 2025) {
      const kg = Object.fromEntries([...byModule].map(([m, v]) => [m, Math.round(v)]))
      const rows = Object.fromEntries([...results].map(([t, r]) => [t, r.rows.length]))
      console.log(`demo A/2025 rows per type ${JSON.stringify(rows)}`)
      console.log(`demo A/2025 kg per module ${JSON.stringify(kg)}`)
      const missing = [20, 21].map((t) => results.get(t)!.withoutEmission.length)
      console.log(`demo A/2025 plane, train rows without emission ${missing.join(', ')}`)
    }
  })

  it.each(years)('shows one or two kg_co2eq overrides, one of them 0 (%i)', (year) => {
    const overrides = [...computed.get(`a/${year}`)!.values()]
      .flatMap((r) => r.rows)
      .filter((v) => v['kg_co2eq'] !== undefined)
      .map((v) => v['kg_co2eq'])
    expect(overrides.length).toBeGreaterThanOrEqual(1)
    expect(overrides.length).toBeLessThanOrEqual(2)
    expect(overrides).toContain(0)
  })
})
