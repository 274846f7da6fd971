import { describe, expect, it } from 'vitest'
import {
  prepareEmission,
  stationKey,
  type EmissionInputs,
  type EmissionOutcome,
  type EntryData,
  type FactorRow,
  type GeoPoint,
} from './emissions.ts'
import { OVERRIDE_KEY, dataFormatKeys, type DataFormatKey } from './formats.ts'

// Expected values below are computed by hand from SPEC §4 with literal numbers; the code under
// test is never used to compute an expectation.

/** Own haversine (mean Earth radius 6371.0088 km), independent of geo.ts. */
function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const R = 6371.0088
  const toRad = (d: number) => (d * Math.PI) / 180
  const dLat = toRad(b.latitude - a.latitude)
  const dLon = toRad(b.longitude - a.longitude)
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRad(a.latitude)) * Math.cos(toRad(b.latitude)) * Math.sin(dLon / 2) ** 2
  return 2 * R * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h))
}

const pt = (latitude: number, longitude: number): GeoPoint => ({ latitude, longitude })

function factor(classification: Record<string, string>, values: Record<string, number>): FactorRow {
  return { classification, values }
}

function inputs(partial: Partial<EmissionInputs>): EmissionInputs {
  return {
    factors: [],
    airports: new Map(),
    stations: new Map(),
    ratesToChf: new Map(),
    ...partial,
  }
}

/** Asserts a computed outcome and returns its kg. */
function computed(outcome: EmissionOutcome): number {
  expect(outcome.code).toBe('computed')
  expect(outcome.kg).not.toBeNull()
  return outcome.kg as number
}

function problem(outcome: EmissionOutcome, code: string): void {
  expect(outcome).toMatchObject({ kg: null, code })
  if (outcome.kg === null) expect(outcome.message.length).toBeGreaterThan(0)
}

// ---------------------------------------------------------------------------------------------
// Plane
// ---------------------------------------------------------------------------------------------

const GVA = pt(46.2381, 6.1089)
const LHR = pt(51.47, -0.4543)
const JFK = pt(40.6398, -73.7789)
const MAD = pt(40.4719, -3.5626)
const ATH = pt(37.9364, 23.9445)
const SVO = pt(55.9726, 37.4146)

const airports = new Map<string, GeoPoint>([
  ['GVA', GVA],
  ['LHR', LHR],
  ['JFK', JFK],
  ['MAD', MAD],
  ['ATH', ATH],
  ['SVO', SVO],
])

// Demo-like bands: short [0, 2500), long [2500, 40000).
const planeFactors: FactorRow[] = [
  factor(
    { category: 'short_to_medium_haul', cabin_class: 'economy' },
    { ef_kg_co2eq_per_km: 0.15, rfi_adjustment: 2, min_distance: 0, max_distance: 2500 },
  ),
  factor(
    { category: 'medium_to_long_haul', cabin_class: 'economy' },
    { ef_kg_co2eq_per_km: 0.11, rfi_adjustment: 2, min_distance: 2500, max_distance: 40000 },
  ),
  factor(
    { category: 'short_to_medium_haul', cabin_class: 'business' },
    { ef_kg_co2eq_per_km: 0.3, rfi_adjustment: 1.9, min_distance: 0, max_distance: 2500 },
  ),
  factor(
    { category: 'medium_to_long_haul', cabin_class: 'business' },
    { ef_kg_co2eq_per_km: 0.32, rfi_adjustment: 1.9, min_distance: 2500, max_distance: 40000 },
  ),
]

describe('plane', () => {
  const emit = prepareEmission('plane', inputs({ factors: planeFactors, airports }))
  const row = (o: string, d: string, cabin: string, extra: Record<string, number> = {}) => ({
    origin_iata: o,
    destination_iata: d,
    user_institutional_id: 'u1',
    cabin_class: cabin,
    ...extra,
  })

  it('sanity: own haversine gives the well-known distances', () => {
    // GVA-LHR is about 754 km, LHR-JFK about 5540 km.
    expect(haversineKm(GVA, LHR)).toBeGreaterThan(750)
    expect(haversineKm(GVA, LHR)).toBeLessThan(757)
    expect(haversineKm(LHR, JFK)).toBeGreaterThan(5535)
    expect(haversineKm(LHR, JFK)).toBeLessThan(5545)
  })

  it('GVA-LHR economy, one trip: (great circle + 95) x ef(short) x rfi', () => {
    // one trip ~ 754 + 95 = ~849 km < 2500 -> short band, ef 0.15, rfi 2
    const expected = (haversineKm(GVA, LHR) + 95) * 0.15 * 2
    expect(computed(emit(row('GVA', 'LHR', 'economy')))).toBeCloseTo(expected, 6)
  })

  it('adds exactly 95 km per trip (not once per journey, not zero)', () => {
    const oneTrip = computed(emit(row('GVA', 'LHR', 'economy')))
    const fourTrips = computed(emit(row('GVA', 'LHR', 'economy', { number_of_trips: 4 })))
    // 4 trips: 4 x (gc + 95) x 0.15 x 2
    expect(fourTrips).toBeCloseTo(4 * (haversineKm(GVA, LHR) + 95) * 0.15 * 2, 6)
    // difference between 4 trips and 4 x the bare great circle is exactly 4 x 95 km of emissions
    expect(fourTrips - 4 * haversineKm(GVA, LHR) * 0.15 * 2).toBeCloseTo(4 * 95 * 0.15 * 2, 6)
    expect(fourTrips).toBeCloseTo(4 * oneTrip, 6)
  })

  it('number_of_trips multiplies, default 1', () => {
    const expected = 3 * (haversineKm(GVA, JFK) + 95) * 0.11 * 2 // long band
    expect(computed(emit(row('GVA', 'JFK', 'economy', { number_of_trips: 3 })))).toBeCloseTo(
      expected,
      6,
    )
  })

  it('band is chosen by one trip distance: MAD-ATH ~2472 km x 3 trips stays short haul', () => {
    const oneTrip = haversineKm(MAD, ATH) + 95
    expect(oneTrip).toBeGreaterThan(2400)
    expect(oneTrip).toBeLessThan(2500)
    // total 3 x ~2472 = ~7416 km, but the band is that of one trip: short, ef 0.15
    const expected = 3 * oneTrip * 0.15 * 2
    expect(computed(emit(row('MAD', 'ATH', 'economy', { number_of_trips: 3 })))).toBeCloseTo(
      expected,
      6,
    )
  })

  it('LHR-SVO ~2603 km one trip -> long band (min 2500)', () => {
    const oneTrip = haversineKm(LHR, SVO) + 95
    expect(oneTrip).toBeGreaterThan(2500)
    expect(oneTrip).toBeLessThan(2700)
    const expected = oneTrip * 0.11 * 2
    expect(computed(emit(row('LHR', 'SVO', 'economy')))).toBeCloseTo(expected, 6)
  })

  it('the 95 km count when choosing the band: LHR-ATH great circle 2426 km, one trip 2521 km -> long', () => {
    expect(haversineKm(LHR, ATH)).toBeLessThan(2500)
    const oneTrip = haversineKm(LHR, ATH) + 95
    expect(oneTrip).toBeGreaterThanOrEqual(2500)
    expect(computed(emit(row('LHR', 'ATH', 'economy')))).toBeCloseTo(oneTrip * 0.11 * 2, 6)
  })

  it('cabin class selects the factor and rfi multiplies', () => {
    // business, long band: ef 0.32, rfi 1.9
    const expected = (haversineKm(LHR, JFK) + 95) * 0.32 * 1.9
    expect(computed(emit(row('LHR', 'JFK', 'business')))).toBeCloseTo(expected, 6)
  })

  it('rfi_adjustment is a multiplier (rfi 1 vs rfi 3)', () => {
    const mk = (rfi: number) =>
      prepareEmission(
        'plane',
        inputs({
          airports,
          factors: [
            factor(
              { category: 'short_to_medium_haul', cabin_class: 'economy' },
              { ef_kg_co2eq_per_km: 0.2, rfi_adjustment: rfi, min_distance: 0, max_distance: 2500 },
            ),
          ],
        }),
      )
    const gc = haversineKm(GVA, LHR)
    expect(computed(mk(1)(row('GVA', 'LHR', 'economy'))))
      // (gc + 95) x 0.2 x 1
      .toBeCloseTo((gc + 95) * 0.2 * 1, 6)
    expect(computed(mk(3)(row('GVA', 'LHR', 'economy'))))
      // (gc + 95) x 0.2 x 3
      .toBeCloseTo((gc + 95) * 0.2 * 3, 6)
  })

  it('unknown IATA code: kg null, code unknown_location, naming the code', () => {
    const out = emit(row('GVA', 'XXX', 'economy'))
    problem(out, 'unknown_location')
    if (out.kg === null) expect(out.message).toContain('XXX')
    problem(emit(row('QQQ', 'LHR', 'economy')), 'unknown_location')
  })

  it('no factor for the cabin class: missing_factor', () => {
    problem(emit(row('GVA', 'LHR', 'first')), 'missing_factor')
  })
})

// ---------------------------------------------------------------------------------------------
// Train
// ---------------------------------------------------------------------------------------------

const LAUSANNE = pt(46.5167, 6.6292)
const BERN = pt(46.949, 7.4391)
const PARIS_GDL = pt(48.8443, 2.3744)
const FRANKFURT = pt(50.107, 8.6636)
const MILANO = pt(45.486, 9.204)

const stations = new Map<string, GeoPoint>([
  [stationKey('CH', 'Lausanne'), LAUSANNE],
  [stationKey('CH', 'Bern'), BERN],
  [stationKey('FR', 'Paris Gare de Lyon'), PARIS_GDL],
  [stationKey('DE', 'Frankfurt (Main) Hbf'), FRANKFURT],
  [stationKey('IT', 'Milano Centrale'), MILANO],
])

// Classification values as the server stores them: lower-cased.
const trainFactors: FactorRow[] = [
  factor({ country_code: 'ch' }, { ef_kg_co2eq_per_km: 0.007 }),
  factor({ country_code: 'fr' }, { ef_kg_co2eq_per_km: 0.004 }),
  factor({ country_code: 'de' }, { ef_kg_co2eq_per_km: 0.03 }),
  factor({ country_code: 'row' }, { ef_kg_co2eq_per_km: 0.05 }),
]

describe('train', () => {
  const emit = prepareEmission('train', inputs({ factors: trainFactors, stations }))
  const row = (
    on: string,
    oc: string,
    dn: string,
    dc: string,
    extra: Record<string, number> = {},
  ) => ({
    origin_name: on,
    origin_country_code: oc,
    destination_name: dn,
    destination_country_code: dc,
    user_institutional_id: 'u1',
    cabin_class: 'second',
    ...extra,
  })

  it('CH-CH uses the CH factor: great circle x 1.2 x ef(CH)', () => {
    // Lausanne-Bern ~78 km great circle
    const expected = haversineKm(LAUSANNE, BERN) * 1.2 * 0.007
    expect(computed(emit(row('Lausanne', 'CH', 'Bern', 'CH')))).toBeCloseTo(expected, 9)
  })

  it('number_of_trips multiplies', () => {
    const expected = haversineKm(LAUSANNE, BERN) * 1.2 * 2 * 0.007
    expect(computed(emit(row('Lausanne', 'CH', 'Bern', 'CH', { number_of_trips: 2 })))).toBeCloseTo(
      expected,
      9,
    )
  })

  it('CH -> FR uses FR', () => {
    const expected = haversineKm(LAUSANNE, PARIS_GDL) * 1.2 * 0.004
    expect(computed(emit(row('Lausanne', 'CH', 'Paris Gare de Lyon', 'FR')))).toBeCloseTo(
      expected,
      9,
    )
  })

  it('FR -> CH uses FR (the non-CH country)', () => {
    const expected = haversineKm(PARIS_GDL, LAUSANNE) * 1.2 * 0.004
    expect(computed(emit(row('Paris Gare de Lyon', 'FR', 'Lausanne', 'CH')))).toBeCloseTo(
      expected,
      9,
    )
  })

  it('DE -> FR uses FR (destination first)', () => {
    const expected = haversineKm(FRANKFURT, PARIS_GDL) * 1.2 * 0.004
    expect(
      computed(emit(row('Frankfurt (Main) Hbf', 'DE', 'Paris Gare de Lyon', 'FR'))),
    ).toBeCloseTo(expected, 9)
  })

  it('FR -> DE uses DE (destination first)', () => {
    const expected = haversineKm(PARIS_GDL, FRANKFURT) * 1.2 * 0.03
    expect(
      computed(emit(row('Paris Gare de Lyon', 'FR', 'Frankfurt (Main) Hbf', 'DE'))),
    ).toBeCloseTo(expected, 9)
  })

  it('country without a factor falls back to RoW', () => {
    // CH -> IT, no IT factor: RoW 0.05
    const expected = haversineKm(LAUSANNE, MILANO) * 1.2 * 0.05
    expect(computed(emit(row('Lausanne', 'CH', 'Milano Centrale', 'IT')))).toBeCloseTo(expected, 9)
  })

  it('station names match case-insensitively and trimmed', () => {
    const expected = haversineKm(LAUSANNE, BERN) * 1.2 * 0.007
    expect(computed(emit(row(' lausanne ', 'CH', 'BERN', 'CH')))).toBeCloseTo(expected, 9)
  })

  it('unknown station: kg null, unknown_location', () => {
    const out = emit(row('Lausanne', 'CH', 'Atlantis', 'CH'))
    problem(out, 'unknown_location')
    if (out.kg === null) expect(out.message).toContain('Atlantis')
    // right name, wrong country: also unknown
    problem(emit(row('Lausanne', 'FR', 'Bern', 'CH')), 'unknown_location')
  })

  it('no factor for the country and no RoW: missing_factor', () => {
    const emitNoRow = prepareEmission(
      'train',
      inputs({
        factors: [factor({ country_code: 'ch' }, { ef_kg_co2eq_per_km: 0.007 })],
        stations,
      }),
    )
    problem(emitNoRow(row('Lausanne', 'CH', 'Milano Centrale', 'IT')), 'missing_factor')
  })
})

// ---------------------------------------------------------------------------------------------
// Member (headcount)
// ---------------------------------------------------------------------------------------------

const memberFactors: FactorRow[] = [
  factor(
    { headcount_category: 'food', unit: 'meal' },
    { number_of_unit_per_fte: 200, ef_kg_co2eq_per_unit: 2.5 },
  ),
  factor(
    { headcount_category: 'waste', unit: 'kg' },
    { number_of_unit_per_fte: 50, ef_kg_co2eq_per_unit: 0.6 },
  ),
  factor(
    { headcount_category: 'commuting', unit: 'km' },
    { number_of_unit_per_fte: 3000, ef_kg_co2eq_per_unit: 0.05 },
  ),
]

describe('member', () => {
  const emit = prepareEmission('member', inputs({ factors: memberFactors }))
  const row = (fte: number) => ({
    name: 'Ada Lovelace',
    sius_code: '51',
    user_institutional_id: 'u1',
    fte,
  })

  it('sums food, waste and commuting: fte x units per fte x ef', () => {
    // food 0.8 x 200 x 2.5 = 400; waste 0.8 x 50 x 0.6 = 24; commuting 0.8 x 3000 x 0.05 = 120
    const expected = 0.8 * 200 * 2.5 + 0.8 * 50 * 0.6 + 0.8 * 3000 * 0.05
    expect(expected).toBeCloseTo(544, 9)
    expect(computed(emit(row(0.8)))).toBeCloseTo(expected, 9)
  })

  it('fte 1', () => {
    const expected = 1 * 200 * 2.5 + 1 * 50 * 0.6 + 1 * 3000 * 0.05 // 680
    expect(computed(emit(row(1)))).toBeCloseTo(expected, 9)
  })

  it('fte 0 gives 0, computed', () => {
    expect(emit(row(0))).toEqual({ kg: 0, code: 'computed' })
  })

  it('no factors: missing_factor', () => {
    problem(prepareEmission('member', inputs({}))(row(1)), 'missing_factor')
  })
})

// ---------------------------------------------------------------------------------------------
// Energy combustion
// ---------------------------------------------------------------------------------------------

const energyFactors: FactorRow[] = [
  factor({ name: 'natural_gas', unit: 'kwh' }, { ef_kg_co2eq_per_unit: 0.228 }),
  factor({ name: 'heating_oil', unit: 'l' }, { ef_kg_co2eq_per_unit: 3.01 }),
  factor({ name: 'pellets', unit: 'kg' }, { ef_kg_co2eq_per_unit: 0.05 }),
  factor({ name: 'propane', unit: 'kg' }, { ef_kg_co2eq_per_unit: 3.0 }),
  factor({ name: 'propane', unit: 'l' }, { ef_kg_co2eq_per_unit: 1.5 }),
]

describe('energy_combustion', () => {
  const emit = prepareEmission('energy_combustion', inputs({ factors: energyFactors }))

  it('quantity x ef, unit omitted', () => {
    const expected = 12000 * 0.228 // 2736
    expect(computed(emit({ name: 'natural_gas', quantity: 12000 }))).toBeCloseTo(expected, 9)
  })

  it('unit given and matching (canonical "kWh" from the parser vs stored "kwh")', () => {
    const expected = 12000 * 0.228
    expect(computed(emit({ name: 'natural_gas', quantity: 12000, unit: 'kWh' }))).toBeCloseTo(
      expected,
      9,
    )
    expect(computed(emit({ name: 'heating_oil', quantity: 500, unit: 'l' }))).toBeCloseTo(
      500 * 3.01,
      9,
    )
  })

  it('unit given and not matching: unit_mismatch', () => {
    problem(emit({ name: 'heating_oil', quantity: 500, unit: 'kWh' }), 'unit_mismatch')
  })

  it('the unit picks among several factors of one fuel', () => {
    expect(computed(emit({ name: 'propane', quantity: 10, unit: 'l' }))).toBeCloseTo(10 * 1.5, 9)
    expect(computed(emit({ name: 'propane', quantity: 10, unit: 'kg' }))).toBeCloseTo(10 * 3.0, 9)
  })

  it('several units for the fuel and no unit given: ambiguous_factor', () => {
    problem(emit({ name: 'propane', quantity: 10 }), 'ambiguous_factor')
  })

  it('unknown fuel: missing_factor', () => {
    problem(emit({ name: 'coal', quantity: 10 }), 'missing_factor')
  })

  it('quantity 0 gives 0', () => {
    expect(emit({ name: 'pellets', quantity: 0 })).toEqual({ kg: 0, code: 'computed' })
  })
})

// ---------------------------------------------------------------------------------------------
// Equipment
// ---------------------------------------------------------------------------------------------

const equipmentFactors: FactorRow[] = [
  factor(
    { equipment_class: 'microscope', sub_class: '' },
    {
      active_power_w: 150,
      standby_power_w: 5,
      default_active_hours_per_week: 40,
      default_standby_hours_per_week: 128,
      ef_kg_co2eq_per_kwh: 0.1,
    },
  ),
  factor(
    { equipment_class: 'microscope', sub_class: 'confocal' },
    {
      active_power_w: 800,
      standby_power_w: 80,
      default_active_hours_per_week: 30,
      default_standby_hours_per_week: 100,
      ef_kg_co2eq_per_kwh: 0.12,
    },
  ),
]

describe('equipment', () => {
  const emit = prepareEmission('equipment', inputs({ factors: equipmentFactors }))
  const base = { equipment_id: 'EQ-1', name: 'Microscope', equipment_class: 'microscope' }

  it('blank hours use the factor defaults', () => {
    // ((40 h x 150 W + 128 h x 5 W) x 52 weeks / 1000) kWh x 0.1 kg/kWh
    const expected = (((40 * 150 + 128 * 5) * 52) / 1000) * 0.1 // 34.528
    expect(computed(emit(base))).toBeCloseTo(expected, 9)
  })

  it('explicit hours are used', () => {
    const expected = (((60 * 150 + 100 * 5) * 52) / 1000) * 0.1
    expect(
      computed(
        emit({ ...base, active_usage_hours_per_week: 60, standby_usage_hours_per_week: 100 }),
      ),
    ).toBeCloseTo(expected, 9)
  })

  it('explicit 0 means 0, not the default', () => {
    // active 0 (explicit), standby blank -> default 128
    const expected = (((0 * 150 + 128 * 5) * 52) / 1000) * 0.1
    expect(computed(emit({ ...base, active_usage_hours_per_week: 0 }))).toBeCloseTo(expected, 9)
    // both explicit 0 -> 0 kg, still computed
    expect(
      emit({ ...base, active_usage_hours_per_week: 0, standby_usage_hours_per_week: 0 }),
    ).toEqual({ kg: 0, code: 'computed' })
  })

  it('(class, sub_class) factor is preferred over (class, "")', () => {
    // confocal: ((30 x 800 + 100 x 80) x 52 / 1000) x 0.12
    const expected = (((30 * 800 + 100 * 80) * 52) / 1000) * 0.12
    expect(computed(emit({ ...base, sub_class: 'confocal' }))).toBeCloseTo(expected, 9)
  })

  it('sub_class without its own factor falls back to (class, "")', () => {
    const expected = (((40 * 150 + 128 * 5) * 52) / 1000) * 0.1
    expect(computed(emit({ ...base, sub_class: 'stereo' }))).toBeCloseTo(expected, 9)
  })

  it('unknown class: missing_factor', () => {
    problem(emit({ ...base, equipment_class: 'centrifuge' }), 'missing_factor')
  })
})

// ---------------------------------------------------------------------------------------------
// Purchases
// ---------------------------------------------------------------------------------------------

const rates = new Map<string, number>([
  ['eur', 0.95],
  ['usd', 0.88],
])

const purchaseFactors: FactorRow[] = [
  factor(
    {
      purchase_institutional_code: 'lab-consumables',
      purchase_additional_code: '',
      currency: 'chf',
    },
    { ef_kg_co2eq_per_currency: 0.2 },
  ),
  factor(
    {
      purchase_institutional_code: 'lab-consumables',
      purchase_additional_code: 'pipettes',
      currency: 'usd',
    },
    { ef_kg_co2eq_per_currency: 0.5 },
  ),
  // two factors at the same level, different currencies
  factor(
    { purchase_institutional_code: 'it', purchase_additional_code: '', currency: 'chf' },
    { ef_kg_co2eq_per_currency: 0.3 },
  ),
  factor(
    { purchase_institutional_code: 'it', purchase_additional_code: '', currency: 'eur' },
    { ef_kg_co2eq_per_currency: 0.35 },
  ),
  factor(
    { purchase_institutional_code: 'books', purchase_additional_code: '', currency: 'gbp' },
    { ef_kg_co2eq_per_currency: 0.1 },
  ),
]

describe('purchases', () => {
  const emit = prepareEmission('purchases', inputs({ factors: purchaseFactors, ratesToChf: rates }))
  const row = (extra: Record<string, string | number>) => ({
    name: 'Pipette tips',
    purchase_institutional_code: 'lab-consumables',
    total_spent_amount: 100,
    ...extra,
  })

  it('100 EUR, factor in CHF: 100 x 0.95 x ef', () => {
    const expected = 100 * 0.95 * 0.2 // 95 CHF x 0.2 = 19
    expect(computed(emit(row({ currency: 'eur' })))).toBeCloseTo(expected, 9)
  })

  it('100 EUR, factor in USD (additional code): 100 x 0.95 / 0.88 x ef', () => {
    const expected = ((100 * 0.95) / 0.88) * 0.5
    expect(
      computed(emit(row({ currency: 'eur', purchase_additional_code: 'pipettes' }))),
    ).toBeCloseTo(expected, 9)
  })

  it('additional-code factor is preferred over the institutional-code factor', () => {
    // 200 CHF -> USD: 200 x 1 / 0.88, x 0.5 (pipettes), not 200 x 0.2
    const expected = ((200 * 1) / 0.88) * 0.5
    expect(
      computed(
        emit(
          row({ total_spent_amount: 200, currency: 'chf', purchase_additional_code: 'pipettes' }),
        ),
      ),
    ).toBeCloseTo(expected, 9)
  })

  it('additional code without a factor falls back to the institutional code', () => {
    const expected = 100 * 0.2
    expect(computed(emit(row({ purchase_additional_code: 'tips' })))).toBeCloseTo(expected, 9)
  })

  it('currency defaults to chf', () => {
    const expected = 100 * 0.2 // no conversion
    expect(computed(emit(row({})))).toBeCloseTo(expected, 9)
    // and to USD factor: 100 CHF / 0.88
    expect(computed(emit(row({ purchase_additional_code: 'pipettes' })))).toBeCloseTo(
      (100 / 0.88) * 0.5,
      9,
    )
  })

  it('missing rate of the row currency: missing_rate', () => {
    problem(emit(row({ currency: 'jpy' })), 'missing_rate')
  })

  it('missing rate of the factor currency: missing_rate', () => {
    problem(emit(row({ purchase_institutional_code: 'books', currency: 'chf' })), 'missing_rate')
  })

  it('same currency needs no rate', () => {
    const noRates = prepareEmission('purchases', inputs({ factors: purchaseFactors }))
    expect(
      computed(noRates(row({ purchase_institutional_code: 'books', currency: 'gbp' }))),
    ).toBeCloseTo(100 * 0.1, 9)
  })

  it('no factor: missing_factor', () => {
    problem(emit(row({ purchase_institutional_code: 'travel' })), 'missing_factor')
  })

  it('two factors at one level, none in the row currency: ambiguous_factor', () => {
    problem(emit(row({ purchase_institutional_code: 'it', currency: 'usd' })), 'ambiguous_factor')
  })

  it('two factors at one level, one in the row currency: that one', () => {
    expect(computed(emit(row({ purchase_institutional_code: 'it', currency: 'eur' })))).toBeCloseTo(
      100 * 0.35,
      9,
    )
    expect(computed(emit(row({ purchase_institutional_code: 'it' })))).toBeCloseTo(100 * 0.3, 9)
  })
})

// ---------------------------------------------------------------------------------------------
// External clouds
// ---------------------------------------------------------------------------------------------

const cloudFactors: FactorRow[] = [
  factor(
    { service_type: 'compute', provider: 'aws', currency: 'eur' },
    { ef_kg_co2eq_per_currency: 0.05 },
  ),
  factor(
    { service_type: 'storage', provider: 'aws', currency: 'usd' },
    { ef_kg_co2eq_per_currency: 0.02 },
  ),
]

describe('external_clouds', () => {
  const emit = prepareEmission(
    'external_clouds',
    inputs({ factors: cloudFactors, ratesToChf: rates }),
  )

  it('currency defaults to eur: EUR factor, no conversion', () => {
    const expected = 3400 * 0.05
    expect(
      computed(emit({ service_type: 'compute', provider: 'aws', spent_amount: 3400 })),
    ).toBeCloseTo(expected, 9)
  })

  it('default eur converted to a USD factor: 1000 x 0.95 / 0.88 x ef', () => {
    const expected = ((1000 * 0.95) / 0.88) * 0.02
    expect(
      computed(emit({ service_type: 'storage', provider: 'aws', spent_amount: 1000 })),
    ).toBeCloseTo(expected, 9)
  })

  it('CHF amount to a EUR factor: 1000 / 0.95 x ef', () => {
    const expected = (1000 / 0.95) * 0.05
    expect(
      computed(
        emit({ service_type: 'compute', provider: 'aws', spent_amount: 1000, currency: 'chf' }),
      ),
    ).toBeCloseTo(expected, 9)
  })

  it('unknown provider: missing_factor', () => {
    problem(
      emit({ service_type: 'compute', provider: 'gcp', spent_amount: 1000 }),
      'missing_factor',
    )
  })

  it('missing rate: missing_rate', () => {
    const noRates = prepareEmission('external_clouds', inputs({ factors: cloudFactors }))
    problem(
      noRates({ service_type: 'storage', provider: 'aws', spent_amount: 1000 }),
      'missing_rate',
    )
  })
})

// ---------------------------------------------------------------------------------------------
// External AI
// ---------------------------------------------------------------------------------------------

describe('external_ai', () => {
  const emit = prepareEmission(
    'external_ai',
    inputs({
      factors: [
        factor(
          { provider: 'openai', usage_type: 'text_generation' },
          { ef_kg_co2eq_per_request: 4 },
        ),
      ],
    }),
  )
  const row = (band: string, fte: number) => ({
    provider: 'openai',
    usage_type: 'text_generation',
    requests_per_user_per_day: band,
    fte_count: fte,
  })

  it.each([
    // band midpoint x 5 days x 46 weeks x fte x ef / 1000
    ['1_5', (3 * 5 * 46 * 3 * 4) / 1000],
    ['5_20', (12.5 * 5 * 46 * 3 * 4) / 1000],
    ['20_100', (60 * 5 * 46 * 3 * 4) / 1000],
    ['gt_100', (100 * 5 * 46 * 3 * 4) / 1000],
  ])('band %s, 3 FTE', (band, expected) => {
    expect(computed(emit(row(band, 3)))).toBeCloseTo(expected, 9)
  })

  it('fte_count 0.1', () => {
    const expected = (12.5 * 5 * 46 * 0.1 * 4) / 1000 // 0.115
    expect(computed(emit(row('5_20', 0.1)))).toBeCloseTo(expected, 12)
  })

  it('unknown provider / usage: missing_factor', () => {
    problem(emit({ ...row('1_5', 1), provider: 'mistral' }), 'missing_factor')
    problem(emit({ ...row('1_5', 1), usage_type: 'image_generation' }), 'missing_factor')
  })
})

// ---------------------------------------------------------------------------------------------
// Process emissions
// ---------------------------------------------------------------------------------------------

const processFactors: FactorRow[] = [
  factor({ category: 'ch4', subcategory: '', unit: 'kg' }, { ef_kg_co2eq_per_unit: 28 }),
  factor(
    { category: 'refrigerant', subcategory: 'r134a', unit: 'kg' },
    { ef_kg_co2eq_per_unit: 1430 },
  ),
  factor({ category: 'refrigerant', subcategory: '', unit: 'kg' }, { ef_kg_co2eq_per_unit: 2000 }),
]

describe('process_emissions', () => {
  const emit = prepareEmission('process_emissions', inputs({ factors: processFactors }))

  it('(category, "") factor for a row without subcategory; canonical "CH4" from the parser', () => {
    const expected = 12.5 * 28 // 350
    expect(computed(emit({ category: 'CH4', quantity: 12.5 }))).toBeCloseTo(expected, 9)
  })

  it('(category, subcategory) factor preferred', () => {
    const expected = 2 * 1430
    expect(
      computed(emit({ category: 'Refrigerant', subcategory: 'r134a', quantity: 2 })),
    ).toBeCloseTo(expected, 9)
  })

  it('falls back to (category, "") when the subcategory has no factor', () => {
    const expected = 2 * 2000
    expect(
      computed(emit({ category: 'Refrigerant', subcategory: 'r404a', quantity: 2 })),
    ).toBeCloseTo(expected, 9)
    // also with a subcategory on a category that only has the blank factor
    expect(computed(emit({ category: 'CH4', subcategory: 'biogas', quantity: 1 }))).toBeCloseTo(
      1 * 28,
      9,
    )
  })

  it('no factor: missing_factor', () => {
    problem(emit({ category: 'N2O', quantity: 1 }), 'missing_factor')
  })
})

// ---------------------------------------------------------------------------------------------
// Override
// ---------------------------------------------------------------------------------------------

/** A data row per format that would compute normally with the factors above. */
const overrideCases: Record<DataFormatKey, { inputs: EmissionInputs; data: EntryData }> = {
  member: {
    inputs: inputs({ factors: memberFactors }),
    data: { name: 'A', sius_code: '51', user_institutional_id: 'u1', fte: 1 },
  },
  plane: {
    inputs: inputs({ factors: planeFactors, airports }),
    data: {
      origin_iata: 'GVA',
      destination_iata: 'LHR',
      user_institutional_id: 'u1',
      cabin_class: 'economy',
    },
  },
  train: {
    inputs: inputs({ factors: trainFactors, stations }),
    data: {
      origin_name: 'Lausanne',
      origin_country_code: 'CH',
      destination_name: 'Bern',
      destination_country_code: 'CH',
      user_institutional_id: 'u1',
      cabin_class: 'second',
    },
  },
  energy_combustion: {
    inputs: inputs({ factors: energyFactors }),
    data: { name: 'natural_gas', quantity: 1000 },
  },
  equipment: {
    inputs: inputs({ factors: equipmentFactors }),
    data: { equipment_id: 'EQ', name: 'M', equipment_class: 'microscope' },
  },
  purchases: {
    inputs: inputs({ factors: purchaseFactors, ratesToChf: rates }),
    data: { name: 'x', purchase_institutional_code: 'lab-consumables', total_spent_amount: 100 },
  },
  external_clouds: {
    inputs: inputs({ factors: cloudFactors, ratesToChf: rates }),
    data: { service_type: 'compute', provider: 'aws', spent_amount: 100 },
  },
  external_ai: {
    inputs: inputs({
      factors: [factor({ provider: 'openai', usage_type: 'chat' }, { ef_kg_co2eq_per_request: 4 })],
    }),
    data: {
      provider: 'openai',
      usage_type: 'chat',
      requests_per_user_per_day: '1_5',
      fte_count: 1,
    },
  },
  process_emissions: {
    inputs: inputs({ factors: processFactors }),
    data: { category: 'CH4', quantity: 1 },
  },
}

describe('override', () => {
  it('OVERRIDE_KEY is the reserved "$kg_co2eq"', () => {
    expect(OVERRIDE_KEY).toBe('$kg_co2eq')
  })

  it.each(dataFormatKeys)('%s: the case computes without override (sanity)', (key) => {
    const c = overrideCases[key]
    const out = prepareEmission(key, c.inputs)(c.data)
    expect(out.code).toBe('computed')
    expect(out.kg).toBeGreaterThan(0)
  })

  it.each(dataFormatKeys)('%s: override 123.45 is the total, code override', (key) => {
    const c = overrideCases[key]
    expect(prepareEmission(key, c.inputs)({ ...c.data, [OVERRIDE_KEY]: 123.45 })).toEqual({
      kg: 123.45,
      code: 'override',
    })
  })

  it.each(dataFormatKeys)('%s: override 0 is kept as 0 (not "absent")', (key) => {
    const c = overrideCases[key]
    expect(prepareEmission(key, c.inputs)({ ...c.data, [OVERRIDE_KEY]: 0 })).toEqual({
      kg: 0,
      code: 'override',
    })
  })

  it.each(dataFormatKeys)('%s: override applies even when nothing could be computed', (key) => {
    const c = overrideCases[key]
    expect(prepareEmission(key, inputs({}))({ ...c.data, [OVERRIDE_KEY]: 7 })).toEqual({
      kg: 7,
      code: 'override',
    })
  })

  it('member: the override is the total once, not once per food/waste/commuting', () => {
    const emit = prepareEmission('member', inputs({ factors: memberFactors }))
    const out = emit({
      name: 'A',
      sius_code: '51',
      user_institutional_id: 'u1',
      fte: 1,
      [OVERRIDE_KEY]: 100,
    })
    expect(out).toEqual({ kg: 100, code: 'override' })
    expect(out.kg).not.toBe(300)
  })

  it('plane with unknown airport and an override: the override', () => {
    const emit = prepareEmission('plane', inputs({ factors: planeFactors, airports }))
    expect(
      emit({
        origin_iata: 'XXX',
        destination_iata: 'LHR',
        user_institutional_id: 'u1',
        cabin_class: 'economy',
        [OVERRIDE_KEY]: 12,
      }),
    ).toEqual({ kg: 12, code: 'override' })
  })

  it('a user column named kg_co2eq (not the reserved key) is not an override', () => {
    const emit = prepareEmission('process_emissions', inputs({ factors: processFactors }))
    expect(emit({ category: 'CH4', quantity: 1, kg_co2eq: 5 })).toEqual({
      kg: 1 * 28,
      code: 'computed',
    })
  })
})
