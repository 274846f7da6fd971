import type { ColumnKind, ColumnSpec } from './columns.ts'

/**
 * CSV formats of data, factor and reference files (SPEC §3). A data-entry type points at
 * one data format; several types may share one (equipment 10-12, purchases 60-66).
 */

/** Reserved key of an entry's data under which a `kg_co2eq` override is stored. `$` never
 * appears in a column name, so no user column can collide with it. */
export const OVERRIDE_KEY = '$kg_co2eq'

/** Reserved key of an entry's data under which the line of the file it came from is kept, so
 * that a warning about the entry (no emission) can point at the row to fix. */
export const ROW_KEY = '$row'

export const dataFormatKeys = [
  'member',
  'plane',
  'train',
  'energy_combustion',
  'equipment',
  'purchases',
  'external_clouds',
  'external_ai',
  'process_emissions',
] as const
export type DataFormatKey = (typeof dataFormatKeys)[number]

export interface DataFormat {
  /** Format key. */
  key: DataFormatKey
  /** Data columns, in template order. */
  columns: readonly ColumnSpec[]
  /** Column whose value may appear only once per institution, module and year. */
  uniqueColumn?: string
  /** Checks across columns of one row, after each cell parsed. */
  checkRow?: (values: Readonly<Record<string, string | number>>) => string | null
  /** Factor file columns: classification first, then values. */
  factorClassification: readonly ColumnSpec[]
  factorValues: readonly ColumnSpec[]
}

const text = (maxLength = 500): ColumnKind => ({ type: 'text', maxLength })
const lowerText = (maxLength = 200): ColumnKind => ({ type: 'text', maxLength, lowerCase: true })
const nonNegative: ColumnKind = { type: 'number', min: 0 }
const iata: ColumnKind = {
  type: 'text',
  upperCase: true,
  pattern: { regex: /^[A-Z]{3}$/, message: 'must be a three-letter IATA code' },
}
const country: ColumnKind = {
  type: 'text',
  upperCase: true,
  pattern: { regex: /^[A-Z]{2}$/, message: 'must be a two-letter ISO country code' },
}
const countryOrRow: ColumnKind = {
  type: 'text',
  upperCase: true,
  pattern: { regex: /^(?:[A-Z]{2}|ROW)$/, message: 'must be a two-letter ISO country code or RoW' },
}

function col(
  name: string,
  required: boolean,
  kind: ColumnKind,
  description: string,
  example: string,
): ColumnSpec {
  return { name, required, kind, description, example }
}

const note = col('note', false, text(1000), 'Free text kept with the entry', '')
const userId = col(
  'user_institutional_id',
  true,
  text(100),
  "The traveller's or member's id in your institution",
  'u12345',
)
const tripDate = col(
  'departure_date',
  false,
  { type: 'date' },
  'Date of departure, YYYY-MM-DD or YYYY/MM/DD',
  '2025-03-14',
)
const trips = col(
  'number_of_trips',
  false,
  { type: 'integer', min: 1 },
  'How many times the trip was made (default 1)',
  '1',
)
const ef = (name: string, description: string) => col(name, true, nonNegative, description, '0.1')

const member: DataFormat = {
  key: 'member',
  columns: [
    col('name', true, text(200), 'Full name of the member', 'Ada Lovelace'),
    col(
      'sius_code',
      true,
      { type: 'enum', values: ['51', '52', '53', '54', '56', '57', '58', '59'] },
      'SIUS staff category (51, 52, 53, 54, 56, 57, 58 or 59)',
      '51',
    ),
    userId,
    col('fte', true, { type: 'number', min: 0, max: 1 }, 'Full-time equivalent, 0 to 1', '0.8'),
    note,
  ],
  uniqueColumn: 'user_institutional_id',
  factorClassification: [
    col(
      'headcount_category',
      true,
      { type: 'enum', values: ['food', 'waste', 'commuting'] },
      'food, waste or commuting',
      'food',
    ),
    col('unit', true, lowerText(50), 'Unit counted per FTE (meal, kg, km...)', 'meal'),
  ],
  factorValues: [
    ef('number_of_unit_per_fte', 'Units per full-time equivalent and year'),
    ef('ef_kg_co2eq_per_unit', 'kg CO2-eq per unit'),
  ],
}

const plane: DataFormat = {
  key: 'plane',
  columns: [
    col('origin_iata', true, iata, 'IATA code of the departure airport', 'GVA'),
    col('destination_iata', true, iata, 'IATA code of the arrival airport', 'LHR'),
    userId,
    col(
      'cabin_class',
      true,
      { type: 'enum', values: ['first', 'business', 'economy'] },
      'first, business or economy',
      'economy',
    ),
    tripDate,
    trips,
    note,
  ],
  factorClassification: [
    col(
      'category',
      true,
      { type: 'enum', values: ['short_to_medium_haul', 'medium_to_long_haul'] },
      'Haul band',
      'short_to_medium_haul',
    ),
    col(
      'cabin_class',
      true,
      { type: 'enum', values: ['first', 'business', 'economy'] },
      'Cabin class',
      'economy',
    ),
  ],
  factorValues: [
    ef('ef_kg_co2eq_per_km', 'kg CO2-eq per passenger-km'),
    ef('rfi_adjustment', 'Radiative forcing multiplier'),
    ef('min_distance', 'Band starts at this one-trip distance, km (inclusive)'),
    ef('max_distance', 'Band ends at this one-trip distance, km (exclusive)'),
  ],
}

const train: DataFormat = {
  key: 'train',
  columns: [
    col(
      'origin_name',
      true,
      text(200),
      'Departure station name, as in your stations reference data',
      'Lausanne',
    ),
    col('origin_country_code', true, country, 'Country of the departure station (ISO-2)', 'CH'),
    col(
      'destination_name',
      true,
      text(200),
      'Arrival station name, as in your stations reference data',
      'Zürich HB',
    ),
    col('destination_country_code', true, country, 'Country of the arrival station', 'CH'),
    userId,
    col(
      'cabin_class',
      true,
      { type: 'enum', values: ['first', 'second'] },
      'first or second',
      'second',
    ),
    tripDate,
    trips,
    note,
  ],
  factorClassification: [
    col(
      'country_code',
      true,
      countryOrRow,
      'Country (ISO-2) or RoW for the rest of the world',
      'CH',
    ),
  ],
  factorValues: [ef('ef_kg_co2eq_per_km', 'kg CO2-eq per passenger-km')],
}

const energyCombustion: DataFormat = {
  key: 'energy_combustion',
  columns: [
    col(
      'name',
      true,
      lowerText(),
      'Fuel: natural_gas, heating_oil, biomethane, propane, pellets, forest_chips, wood_logs, or any name with a factor',
      'natural_gas',
    ),
    col('quantity', true, nonNegative, 'Quantity burnt, in the unit of the factor', '12000'),
    col(
      'unit',
      false,
      { type: 'enum', values: ['kWh', 'kg', 'l'] },
      "kWh, kg or l; must agree with the factor's unit",
      'kWh',
    ),
    note,
  ],
  factorClassification: [
    col('name', true, lowerText(), 'Fuel name', 'natural_gas'),
    col('unit', true, { type: 'enum', values: ['kWh', 'kg', 'l'] }, 'kWh, kg or l', 'kWh'),
  ],
  factorValues: [ef('ef_kg_co2eq_per_unit', 'kg CO2-eq per unit')],
}

const hoursPerWeek: ColumnKind = { type: 'integer', min: 0, max: 168 }

const equipment: DataFormat = {
  key: 'equipment',
  columns: [
    col('equipment_id', true, text(100), 'Inventory id of the device', 'EQ-0001'),
    col('name', true, text(200), 'Name of the device', 'Confocal microscope'),
    col('equipment_class', true, lowerText(), 'Class, matching a factor', 'microscope'),
    col('sub_class', false, lowerText(), 'Sub-class, matching a factor (optional)', ''),
    col(
      'active_usage_hours_per_week',
      false,
      hoursPerWeek,
      "Hours per week in use, 0 to 168; blank means the factor's default",
      '40',
    ),
    col(
      'standby_usage_hours_per_week',
      false,
      hoursPerWeek,
      "Hours per week on standby, 0 to 168; blank means the factor's default",
      '128',
    ),
    note,
  ],
  checkRow: (v) => {
    const a = v['active_usage_hours_per_week']
    const s = v['standby_usage_hours_per_week']
    if (typeof a === 'number' && typeof s === 'number' && a + s > 168) {
      return `active and standby hours add up to ${a + s}, more than the 168 hours of a week`
    }
    return null
  },
  factorClassification: [
    col('equipment_class', true, lowerText(), 'Equipment class', 'microscope'),
    col('sub_class', false, lowerText(), 'Sub-class; blank matches any', ''),
  ],
  factorValues: [
    ef('active_power_w', 'Power when active, W'),
    ef('standby_power_w', 'Power on standby, W'),
    col('default_active_hours_per_week', true, hoursPerWeek, 'Default active hours', '40'),
    col('default_standby_hours_per_week', true, hoursPerWeek, 'Default standby hours', '128'),
    ef('ef_kg_co2eq_per_kwh', 'kg CO2-eq per kWh of electricity'),
  ],
}

export const purchaseCurrencies = [
  'aud',
  'cad',
  'chf',
  'cny',
  'eur',
  'gbp',
  'jpy',
  'sek',
  'usd',
] as const

const purchases: DataFormat = {
  key: 'purchases',
  columns: [
    col('name', true, text(200), 'What was bought', 'Pipette tips'),
    col('total_spent_amount', true, nonNegative, 'Amount spent, in the currency column', '1250.50'),
    col(
      'purchase_institutional_code',
      true,
      lowerText(100),
      "Your institution's purchase category code, matching a factor",
      'lab-consumables',
    ),
    col(
      'currency',
      false,
      { type: 'enum', values: purchaseCurrencies },
      'aud, cad, chf, cny, eur, gbp, jpy, sek or usd (default chf)',
      'chf',
    ),
    col('supplier', false, text(200), 'Supplier name', 'Acme Lab Supplies'),
    col('quantity', false, nonNegative, 'Number of items', '10'),
    col('purchase_institutional_description', false, text(500), 'Category description', ''),
    col(
      'purchase_additional_code',
      false,
      lowerText(100),
      'A finer code; its factor is preferred when one exists',
      '',
    ),
    note,
  ],
  factorClassification: [
    col(
      'purchase_institutional_code',
      true,
      lowerText(100),
      'Purchase category code',
      'lab-consumables',
    ),
    col('purchase_additional_code', false, lowerText(100), 'Finer code; blank = none', ''),
    col(
      'currency',
      true,
      { type: 'enum', values: purchaseCurrencies },
      'Currency of the factor',
      'chf',
    ),
  ],
  factorValues: [ef('ef_kg_co2eq_per_currency', 'kg CO2-eq per unit of currency')],
}

const cloudCurrencies = ['chf', 'eur', 'usd'] as const

const externalClouds: DataFormat = {
  key: 'external_clouds',
  columns: [
    col(
      'service_type',
      true,
      { type: 'enum', values: ['storage', 'compute', 'virtualisation'] },
      'storage, compute or virtualisation',
      'compute',
    ),
    col('provider', true, lowerText(100), 'Cloud provider, matching a factor', 'aws'),
    col('spent_amount', true, nonNegative, 'Amount spent', '3400'),
    col(
      'currency',
      false,
      { type: 'enum', values: cloudCurrencies },
      'chf, eur or usd (default eur)',
      'eur',
    ),
    note,
  ],
  factorClassification: [
    col(
      'service_type',
      true,
      { type: 'enum', values: ['storage', 'compute', 'virtualisation'] },
      'Service type',
      'compute',
    ),
    col('provider', true, lowerText(100), 'Provider', 'aws'),
    col(
      'currency',
      true,
      { type: 'enum', values: cloudCurrencies },
      'Currency of the factor',
      'eur',
    ),
  ],
  factorValues: [ef('ef_kg_co2eq_per_currency', 'kg CO2-eq per unit of currency')],
}

export const aiRequestBands = ['1_5', '5_20', '20_100', 'gt_100'] as const

const externalAi: DataFormat = {
  key: 'external_ai',
  columns: [
    col('provider', true, lowerText(100), 'AI provider, matching a factor', 'openai'),
    col('usage_type', true, lowerText(100), 'Kind of use, matching a factor', 'text_generation'),
    col(
      'requests_per_user_per_day',
      true,
      { type: 'enum', values: aiRequestBands },
      'Requests per user and day: 1_5, 5_20, 20_100 or gt_100',
      '5_20',
    ),
    col(
      'fte_count',
      true,
      { type: 'number', min: 0.1 },
      'Full-time equivalents using it (at least 0.1)',
      '3',
    ),
    note,
  ],
  factorClassification: [
    col('provider', true, lowerText(100), 'Provider', 'openai'),
    col('usage_type', true, lowerText(100), 'Kind of use', 'text_generation'),
  ],
  factorValues: [ef('ef_kg_co2eq_per_request', 'kg CO2-eq per request')],
}

const processEmissions: DataFormat = {
  key: 'process_emissions',
  columns: [
    col(
      'category',
      true,
      { type: 'enum', values: ['CO2', 'CH4', 'N2O', 'Refrigerant'] },
      'CO2, CH4, N2O or Refrigerant',
      'CH4',
    ),
    col('subcategory', false, lowerText(100), 'Gas or refrigerant name, matching a factor', ''),
    col('quantity', true, nonNegative, 'Quantity released, kg', '12.5'),
    note,
  ],
  factorClassification: [
    col(
      'category',
      true,
      { type: 'enum', values: ['CO2', 'CH4', 'N2O', 'Refrigerant'] },
      'Category',
      'CH4',
    ),
    col('subcategory', false, lowerText(100), 'Subcategory; blank matches any', ''),
    col('unit', true, lowerText(20), 'Unit of quantity (kg)', 'kg'),
  ],
  factorValues: [ef('ef_kg_co2eq_per_unit', 'kg CO2-eq per unit')],
}

export const dataFormats: Readonly<Record<DataFormatKey, DataFormat>> = {
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

/** Optional column of every data format: an emission that replaces the computed one. */
export const overrideColumn: ColumnSpec = col(
  'kg_co2eq',
  false,
  { type: 'number', min: 0 },
  'Optional: kg CO2-eq that replaces the computed emission of this entry (0 included)',
  '',
)

/** Required on every row of a per-year upload made for the whole institution. */
export const unitColumn: ColumnSpec = col(
  'unit_institutional_id',
  true,
  text(100),
  'Id of the unit (lab, department) the row belongs to',
  'LAB-ENERGY',
)

export const referenceFormats = {
  locations: [
    col(
      'transport_mode',
      true,
      { type: 'enum', values: ['plane', 'train'] },
      'plane or train',
      'plane',
    ),
    col('name', true, text(200), 'Airport or station name', 'Geneva Airport'),
    col(
      'latitude',
      true,
      { type: 'number', min: -90, max: 90 },
      'Latitude, decimal degrees',
      '46.2381',
    ),
    col(
      'longitude',
      true,
      { type: 'number', min: -180, max: 180 },
      'Longitude, decimal degrees',
      '6.1089',
    ),
    col('iata_code', false, iata, 'IATA code (required for plane)', 'GVA'),
    col('country_code', false, country, 'Country, ISO-2 (required for train)', 'CH'),
    col('municipality', false, text(200), 'Town or city', 'Geneva'),
  ],
  currency_rates: [
    col('currency', true, { type: 'enum', values: purchaseCurrencies }, 'Currency code', 'eur'),
    col(
      'rate_to_chf',
      true,
      { type: 'number', positive: true },
      'Value of one unit in CHF',
      '0.94',
    ),
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>
export type ReferenceFormatKey = keyof typeof referenceFormats
