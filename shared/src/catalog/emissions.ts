import { OVERRIDE_KEY, type DataFormatKey } from './formats.ts'
import { greatCircleKm } from './geo.ts'

/**
 * Emission formulas (SPEC §4). `prepareEmission` indexes the factors once per job, then
 * returns a per-entry function cheap enough for a million entries.
 */

export interface FactorRow {
  /** Classification values, lower-cased; '' for a blank optional column. */
  classification: Readonly<Record<string, string>>
  /** Numeric values of the factor. */
  values: Readonly<Record<string, number>>
}

export interface GeoPoint {
  latitude: number
  longitude: number
}

export interface EmissionInputs {
  /** Factors of the entry's data-entry type and year. */
  factors: readonly FactorRow[]
  /** Airports by upper-case IATA code. */
  airports: ReadonlyMap<string, GeoPoint>
  /** Train stations by `stationKey(countryCode, name)`. */
  stations: ReadonlyMap<string, GeoPoint>
  /** Value of one unit of each lower-case currency in CHF, for the year. */
  ratesToChf: ReadonlyMap<string, number>
}

export type EmissionProblem =
  'unknown_location' | 'missing_factor' | 'ambiguous_factor' | 'missing_rate' | 'unit_mismatch'

export type EmissionOutcome =
  | { kg: number; code: 'computed' | 'override' }
  | { kg: null; code: EmissionProblem; message: string }

export type EntryData = Readonly<Record<string, string | number>>

export function stationKey(countryCode: string, name: string): string {
  return `${countryCode.toUpperCase()}|${name.trim().toLowerCase()}`
}

/** Plane: km added to the great-circle distance of each trip (taxiing, holding, detours). */
export const planeDetourKm = 95
/** Train: track distance relative to the great-circle distance. */
export const trainDetourFactor = 1.2
/** External AI: midpoints of the requests-per-user-per-day bands. */
export const aiBandMidpoints: Readonly<Record<string, number>> = {
  '1_5': 3,
  '5_20': 12.5,
  '20_100': 60,
  gt_100: 100,
}
/** External AI: working days per week and weeks per year. */
const aiDaysPerWeek = 5
const aiWeeksPerYear = 46

type Formula = (data: EntryData) => EmissionOutcome

const str = (d: EntryData, k: string): string => {
  const v = d[k]
  return v === undefined ? '' : String(v)
}
const num = (d: EntryData, k: string): number | undefined => {
  const v = d[k]
  return typeof v === 'number' ? v : undefined
}
const missing = (message: string): EmissionOutcome => ({
  kg: null,
  code: 'missing_factor',
  message,
})

function groupBy(
  factors: readonly FactorRow[],
  keyOf: (f: FactorRow) => string,
): Map<string, FactorRow[]> {
  const m = new Map<string, FactorRow[]>()
  for (const f of factors) {
    const k = keyOf(f)
    const list = m.get(k)
    if (list) list.push(f)
    else m.set(k, [f])
  }
  return m
}

const v = (f: FactorRow, k: string): number => f.values[k] ?? 0

function plane(inputs: EmissionInputs): Formula {
  const byCabin = groupBy(inputs.factors, (f) => f.classification['cabin_class'] ?? '')
  return (d) => {
    const from = inputs.airports.get(str(d, 'origin_iata'))
    const to = inputs.airports.get(str(d, 'destination_iata'))
    if (!from || !to) {
      const unknown = [!from && str(d, 'origin_iata'), !to && str(d, 'destination_iata')].filter(
        Boolean,
      )
      return {
        kg: null,
        code: 'unknown_location',
        message: `unknown airport ${unknown.join(', ')}`,
      }
    }
    const oneTrip =
      greatCircleKm(from.latitude, from.longitude, to.latitude, to.longitude) + planeDetourKm
    const cabin = str(d, 'cabin_class')
    const band = byCabin
      .get(cabin)
      ?.find((f) => oneTrip >= v(f, 'min_distance') && oneTrip < v(f, 'max_distance'))
    if (!band) return missing(`no plane factor for ${cabin} at ${Math.round(oneTrip)} km`)
    const km = oneTrip * (num(d, 'number_of_trips') ?? 1)
    return { kg: km * v(band, 'ef_kg_co2eq_per_km') * v(band, 'rfi_adjustment'), code: 'computed' }
  }
}

function train(inputs: EmissionInputs): Formula {
  const byCountry = new Map(
    inputs.factors.map((f) => [(f.classification['country_code'] ?? '').toUpperCase(), f]),
  )
  return (d) => {
    const oc = str(d, 'origin_country_code')
    const dc = str(d, 'destination_country_code')
    const from = inputs.stations.get(stationKey(oc, str(d, 'origin_name')))
    const to = inputs.stations.get(stationKey(dc, str(d, 'destination_name')))
    if (!from || !to) {
      const unknown = [
        !from && `${str(d, 'origin_name')} (${oc})`,
        !to && `${str(d, 'destination_name')} (${dc})`,
      ].filter(Boolean)
      return {
        kg: null,
        code: 'unknown_location',
        message: `unknown station ${unknown.join(', ')}`,
      }
    }
    // Both in Switzerland: Swiss factor. Otherwise the foreign country decides, destination first.
    const country = oc === 'CH' && dc === 'CH' ? 'CH' : dc !== 'CH' ? dc : oc
    const factor = byCountry.get(country) ?? byCountry.get('ROW')
    if (!factor) return missing(`no train factor for ${country} nor RoW`)
    const km =
      greatCircleKm(from.latitude, from.longitude, to.latitude, to.longitude) *
      trainDetourFactor *
      (num(d, 'number_of_trips') ?? 1)
    return { kg: km * v(factor, 'ef_kg_co2eq_per_km'), code: 'computed' }
  }
}

function member(inputs: EmissionInputs): Formula {
  const categories = ['food', 'waste', 'commuting']
  const present = inputs.factors.filter((f) =>
    categories.includes(f.classification['headcount_category'] ?? ''),
  )
  return (d) => {
    if (present.length === 0) return missing('no headcount factors for food, waste or commuting')
    const fte = num(d, 'fte') ?? 0
    let kg = 0
    for (const f of present)
      kg += fte * v(f, 'number_of_unit_per_fte') * v(f, 'ef_kg_co2eq_per_unit')
    return { kg, code: 'computed' }
  }
}

function energyCombustion(inputs: EmissionInputs): Formula {
  const byName = groupBy(inputs.factors, (f) => f.classification['name'] ?? '')
  return (d) => {
    const name = str(d, 'name')
    const candidates = byName.get(name)
    if (!candidates) return missing(`no factor for fuel "${name}"`)
    const unit = str(d, 'unit').toLowerCase()
    const factor = unit ? candidates.find((f) => f.classification['unit'] === unit) : candidates[0]
    if (!factor) {
      const units = candidates.map((f) => f.classification['unit']).join(', ')
      return {
        kg: null,
        code: 'unit_mismatch',
        message: `"${name}" is counted in ${units}, not ${str(d, 'unit')}`,
      }
    }
    if (!unit && candidates.length > 1) {
      return {
        kg: null,
        code: 'ambiguous_factor',
        message: `"${name}" has factors in several units; fill the unit column`,
      }
    }
    return { kg: (num(d, 'quantity') ?? 0) * v(factor, 'ef_kg_co2eq_per_unit'), code: 'computed' }
  }
}

function equipment(inputs: EmissionInputs): Formula {
  const byKey = new Map(
    inputs.factors.map((f) => [
      `${f.classification['equipment_class']}|${f.classification['sub_class'] ?? ''}`,
      f,
    ]),
  )
  return (d) => {
    const cls = str(d, 'equipment_class')
    const factor = byKey.get(`${cls}|${str(d, 'sub_class')}`) ?? byKey.get(`${cls}|`)
    if (!factor) return missing(`no equipment factor for class "${cls}"`)
    const active =
      num(d, 'active_usage_hours_per_week') ?? v(factor, 'default_active_hours_per_week')
    const standby =
      num(d, 'standby_usage_hours_per_week') ?? v(factor, 'default_standby_hours_per_week')
    const kwh =
      ((active * v(factor, 'active_power_w') + standby * v(factor, 'standby_power_w')) * 52) / 1000
    return { kg: kwh * v(factor, 'ef_kg_co2eq_per_kwh'), code: 'computed' }
  }
}

/** Converts an amount between currencies through CHF, or returns the missing currency. */
function convert(
  rates: ReadonlyMap<string, number>,
  amount: number,
  from: string,
  to: string,
): number | string {
  if (from === to) return amount
  const rateFrom = from === 'chf' ? 1 : rates.get(from)
  if (rateFrom === undefined) return from
  const rateTo = to === 'chf' ? 1 : rates.get(to)
  if (rateTo === undefined) return to
  return (amount * rateFrom) / rateTo
}

/** Among factors at one level of specificity, one is chosen; several only if one matches the entry's currency. */
function pickByCurrency(
  candidates: readonly FactorRow[],
  currency: string,
): FactorRow | 'ambiguous' {
  if (candidates.length === 1) return candidates[0]!
  const same = candidates.filter((f) => f.classification['currency'] === currency)
  return same.length === 1 ? same[0]! : 'ambiguous'
}

function spend(
  inputs: EmissionInputs,
  keyOf: (c: Readonly<Record<string, string>>) => string,
  levelsOf: (d: EntryData) => string[],
  amountColumn: string,
  defaultCurrency: string,
): Formula {
  const byKey = groupBy(inputs.factors, (f) => keyOf(f.classification))
  return (d) => {
    const currency = str(d, 'currency') || defaultCurrency
    const levels = levelsOf(d)
    let candidates: FactorRow[] | undefined
    for (const key of levels) {
      candidates = byKey.get(key)
      if (candidates) break
    }
    if (!candidates) return missing(`no factor for ${levels[0]?.replaceAll('|', ' / ')}`)
    const factor = pickByCurrency(candidates, currency)
    if (factor === 'ambiguous') {
      return {
        kg: null,
        code: 'ambiguous_factor',
        message: `several factors match ${levels[0]?.replaceAll('|', ' / ')}`,
      }
    }
    const factorCurrency = factor.classification['currency'] ?? 'chf'
    const amount = convert(inputs.ratesToChf, num(d, amountColumn) ?? 0, currency, factorCurrency)
    if (typeof amount === 'string') {
      return {
        kg: null,
        code: 'missing_rate',
        message: `no ${amount.toUpperCase()} exchange rate for the year`,
      }
    }
    return { kg: amount * v(factor, 'ef_kg_co2eq_per_currency'), code: 'computed' }
  }
}

function purchases(inputs: EmissionInputs): Formula {
  return spend(
    inputs,
    (c) => `${c['purchase_institutional_code']}|${c['purchase_additional_code'] ?? ''}`,
    (d) => {
      const code = str(d, 'purchase_institutional_code')
      const extra = str(d, 'purchase_additional_code')
      return extra ? [`${code}|${extra}`, `${code}|`] : [`${code}|`]
    },
    'total_spent_amount',
    'chf',
  )
}

function externalClouds(inputs: EmissionInputs): Formula {
  return spend(
    inputs,
    (c) => `${c['service_type']}|${c['provider']}`,
    (d) => [`${str(d, 'service_type')}|${str(d, 'provider')}`],
    'spent_amount',
    'eur',
  )
}

function externalAi(inputs: EmissionInputs): Formula {
  const byKey = new Map(
    inputs.factors.map((f) => [
      `${f.classification['provider']}|${f.classification['usage_type']}`,
      f,
    ]),
  )
  return (d) => {
    const key = `${str(d, 'provider')}|${str(d, 'usage_type')}`
    const factor = byKey.get(key)
    if (!factor) return missing(`no AI factor for ${key.replace('|', ' / ')}`)
    const perDay = aiBandMidpoints[str(d, 'requests_per_user_per_day')] ?? 0
    const requests = perDay * aiDaysPerWeek * aiWeeksPerYear * (num(d, 'fte_count') ?? 0)
    return { kg: (requests * v(factor, 'ef_kg_co2eq_per_request')) / 1000, code: 'computed' }
  }
}

function processEmissions(inputs: EmissionInputs): Formula {
  const byKey = new Map(
    inputs.factors.map((f) => [
      `${f.classification['category']}|${f.classification['subcategory'] ?? ''}`,
      f,
    ]),
  )
  return (d) => {
    const category = str(d, 'category').toLowerCase()
    const factor = byKey.get(`${category}|${str(d, 'subcategory')}`) ?? byKey.get(`${category}|`)
    if (!factor) return missing(`no process factor for ${str(d, 'category')}`)
    // Quantities are in kg (SPEC §3); a factor counted in another unit cannot apply.
    const unit = factor.classification['unit'] || 'kg'
    if (unit !== 'kg') {
      return {
        kg: null,
        code: 'unit_mismatch',
        message: `the ${str(d, 'category')} factor is per ${unit}; quantities are in kg`,
      }
    }
    return { kg: (num(d, 'quantity') ?? 0) * v(factor, 'ef_kg_co2eq_per_unit'), code: 'computed' }
  }
}

const formulas: Readonly<Record<DataFormatKey, (inputs: EmissionInputs) => Formula>> = {
  member,
  plane,
  train,
  energy_combustion: energyCombustion,
  equipment,
  purchases,
  external_clouds: externalClouds,
  external_ai: externalAi,
  process_emissions: processEmissions,
}

/**
 * Returns the emission function of a format. An entry carrying an override gets it as its
 * total, once, whatever its sub-parts; the formula is not consulted.
 */
export function prepareEmission(format: DataFormatKey, inputs: EmissionInputs): Formula {
  const formula = formulas[format](inputs)
  return (d) => {
    const override = d[OVERRIDE_KEY]
    if (typeof override === 'number') return { kg: override, code: 'override' }
    return formula(d)
  }
}
