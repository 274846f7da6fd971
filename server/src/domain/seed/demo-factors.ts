/**
 * Demo emission factors and currency rates (SPEC §3, §9). Pure data: plausible orders of
 * magnitude taken from public factor sets (UK DEFRA/DESNZ conversion factors, ADEME Base
 * Empreinte, KBOB/ecoinvent for Switzerland, IPCC AR6 GWP100), rounded; not official values.
 *
 * `BASE_YEAR` carries the figures below; every other year's emission factors are scaled by
 * 1.03 per year of distance (2024 = x 1.03), so that a user sees factors change per year.
 */
import { dataFormatFor, factorColumns } from '@carbon-sync/shared'
import type { DemoTable } from './demo-data.ts'

export const BASE_YEAR = 2025

type Cell = string | number | undefined
type Rec = Record<string, Cell>

/** A number as a plain CSV cell: 4 significant digits, `.` decimals, no separators. */
export function num(n: number, significant = 4): string {
  return String(Number(n.toPrecision(significant)))
}

/** Builds a table whose columns are `names`, in that order, from records keyed by name. */
export function toTable(names: readonly string[], records: readonly Rec[]): DemoTable {
  return {
    columns: [...names],
    rows: records.map((r) =>
      names.map((n) => {
        const v = r[n]
        return v === undefined ? '' : typeof v === 'number' ? num(v, 6) : v
      }),
    ),
  }
}

function factorTable(typeId: number, records: readonly Rec[]): DemoTable {
  const format = dataFormatFor(typeId)
  if (!format) throw new Error(`no format for data-entry type ${typeId}`)
  return toTable(
    factorColumns(format).map((c) => c.name),
    records,
  )
}

// ---------------------------------------------------------------------------------------
// Catalogs shared with the entry generators (demo-entries.ts)
// ---------------------------------------------------------------------------------------

export interface EquipmentKind {
  cls: string
  /** '' = the class-wide factor. */
  sub: string
  activeW: number
  standbyW: number
  defActive: number
  defStandby: number
  /** Device names used by the data. */
  names: readonly string[]
  /** Relative frequency in an inventory. */
  weight: number
}

const eq = (
  cls: string,
  sub: string,
  activeW: number,
  standbyW: number,
  defActive: number,
  defStandby: number,
  weight: number,
  names: readonly string[],
): EquipmentKind => ({ cls, sub, activeW, standbyW, defActive, defStandby, weight, names })

/** Power draws: manufacturer data sheets and lab energy audits (e.g. My Green Lab), rounded. */
export const equipmentKinds: Readonly<Record<10 | 11 | 12, readonly EquipmentKind[]>> = {
  10: [
    eq('microscope', '', 150, 10, 20, 148, 4, ['Upright microscope', 'Stereo microscope']),
    eq('microscope', 'confocal', 600, 60, 30, 138, 2, ['Confocal microscope', 'Spinning disk']),
    eq('microscope', 'electron', 3500, 1500, 40, 128, 1, ['Scanning electron microscope']),
    eq('centrifuge', '', 900, 20, 10, 158, 4, ['Benchtop centrifuge', 'Refrigerated centrifuge']),
    eq('centrifuge', 'ultracentrifuge', 3000, 100, 15, 153, 1, ['Ultracentrifuge']),
    eq('freezer', '', 350, 0, 168, 0, 3, ['Lab freezer -20']),
    eq('freezer', 'ult_minus_80', 900, 0, 168, 0, 3, ['ULT freezer -80']),
    eq('incubator', '', 300, 0, 168, 0, 3, ['CO2 incubator', 'Shaking incubator']),
    eq('fume_hood', '', 450, 60, 40, 128, 3, ['Fume hood']),
    eq('mass_spectrometer', '', 1800, 600, 60, 108, 1, ['LC-MS mass spectrometer']),
    eq('pcr_machine', '', 500, 15, 15, 153, 2, ['qPCR cycler', 'Thermal cycler']),
    eq('hplc', '', 800, 80, 30, 138, 1, ['HPLC system']),
  ],
  11: [
    eq('laptop', '', 30, 2, 40, 128, 10, ['Laptop 14-inch', 'Laptop 16-inch']),
    eq('desktop', '', 80, 3, 40, 128, 5, ['Desktop PC', 'Workstation']),
    eq('desktop', 'workstation_gpu', 450, 8, 40, 128, 1, ['GPU workstation']),
    eq('monitor', '', 25, 0.5, 40, 128, 8, ['Monitor 27-inch', 'Monitor 24-inch']),
    eq('server', '', 400, 150, 168, 0, 2, ['Rack server']),
    eq('server', 'gpu', 2200, 300, 120, 48, 1, ['GPU compute node']),
    eq('printer', '', 400, 5, 5, 163, 2, ['Laser printer', 'Multifunction printer']),
    eq('network_switch', '', 100, 0, 168, 0, 1, ['Network switch']),
  ],
  12: [
    eq('fridge', '', 120, 0, 168, 0, 3, ['Kitchen fridge', 'Sample fridge']),
    eq('coffee_machine', '', 1200, 3, 5, 163, 2, ['Coffee machine']),
    eq('projector', '', 250, 1, 10, 158, 2, ['Projector']),
    eq('glassware_washer', '', 2500, 5, 12, 156, 1, ['Lab glassware washer']),
    eq('water_purifier', '', 150, 10, 20, 148, 1, ['Water purification system']),
  ],
}

/** Swiss consumer electricity mix, ~0.125 kg CO2-eq/kWh (KBOB 2022 order of magnitude). */
const electricityKgPerKwh = 0.125

export interface PurchaseCode {
  typeId: number
  code: string
  currency: string
  /** Factor of the plain code, in `currency`. */
  ef: number
  /** Finer codes with their own factor (same currency as the code). */
  extra: readonly (readonly [string, number])[]
  /** Finer codes used by the data that have no factor: they fall back to the code. */
  extraWithoutFactor: readonly string[]
  /** Typical spend per row in CHF, [min, max]. */
  chf: readonly [number, number]
  description: string
  items: readonly string[]
  suppliers: readonly string[]
}

/**
 * Spend-based factors in kg CO2-eq per currency unit: EXIOBASE / ADEME "ratios monétaires"
 * orders of magnitude (manufactured goods 0.2-0.6 kg/EUR, chemicals 0.6-1.1, services 0.05-0.35).
 * Columns: type, code, currency, ef, finer codes ("code=ef", or a bare code without factor),
 * CHF per row min and max, description, items, suppliers.
 */
const purchaseSpecs: readonly (readonly [
  number,
  string,
  string,
  number,
  string,
  number,
  number,
])[] = [
  [60, 'lab-instruments', 'chf', 0.25, 'microscopy=0.22 balances', 2500, 60000],
  [60, 'analytical-instruments', 'usd', 0.3, '', 15000, 120000],
  [60, 'lab-furniture', 'eur', 0.45, '', 1500, 20000],
  [61, 'it-hardware', 'chf', 0.42, 'laptops=0.38 servers=0.5 tablets', 1200, 30000],
  [61, 'it-peripherals', 'eur', 0.55, '', 150, 5000],
  [62, 'lab-consumables', 'chf', 0.55, 'plastics=0.7 pipettes', 80, 4500],
  [62, 'glassware', 'eur', 0.6, '', 100, 2500],
  [62, 'office-supplies', 'chf', 0.35, '', 50, 1500],
  [63, 'chemicals', 'chf', 0.8, 'solvents=1.1 salts', 100, 6000],
  [63, 'gases', 'chf', 0.9, '', 300, 8000],
  [63, 'biologicals', 'eur', 0.5, '', 200, 7000],
  [64, 'maintenance', 'chf', 0.12, '', 800, 15000],
  [64, 'consulting', 'chf', 0.07, 'sequencing=0.15', 500, 12000],
  [64, 'software-licences', 'usd', 0.1, '', 300, 9000],
  [64, 'catering', 'chf', 0.35, '', 200, 5000],
  [64, 'publications', 'eur', 0.08, '', 400, 4000],
  [65, 'cars', 'chf', 0.4, 'electric=0.3', 20000, 55000],
  [65, 'bikes', 'eur', 0.12, '', 1500, 7000],
  [66, 'furniture', 'chf', 0.4, '', 300, 9000],
  [66, 'books', 'eur', 0.3, '', 60, 3000],
  [66, 'misc', 'chf', 0.25, '', 100, 3000],
]

/** Per code: description | items (comma-separated) | suppliers (comma-separated). */
const purchaseTexts: Readonly<Record<string, string>> = {
  'lab-instruments':
    'Laboratory instruments|Spectrophotometer,Microscope camera,Analytical balance,Plate reader|Thermo Fisher Scientific,Zeiss,Mettler Toledo',
  'analytical-instruments':
    'Analytical instruments|Gas chromatograph,Particle analyser|Agilent,Malvern Panalytical',
  'lab-furniture': 'Laboratory furniture|Lab bench,Safety cabinet|Waldner,Köttermann',
  'it-hardware': 'IT hardware|Laptops,Rack server,Workstations,Tablets|Dell,Lenovo,Apple,HPE',
  'it-peripherals':
    'IT peripherals|Monitors,Docking stations,Keyboards and mice|Logitech,Dell,Digitec',
  'lab-consumables':
    'Laboratory consumables|Pipette tips,Falcon tubes,Petri dishes,Nitrile gloves,Filter papers|Sigma-Aldrich,VWR,Sarstedt',
  glassware: 'Laboratory glassware|Beakers,Volumetric flasks|Duran,VWR',
  'office-supplies': 'Office supplies|Paper,Toner cartridges,Stationery|Lyreco,Office World',
  chemicals: 'Chemicals|Ethanol,Acetonitrile,Sodium chloride,Buffers|Sigma-Aldrich,Merck,Carl Roth',
  gases: 'Technical gases|Liquid nitrogen,Argon cylinders,Helium|PanGas,Carbagas',
  biologicals:
    'Biological products|Antibodies,Cell culture media,Enzymes,Fetal bovine serum|Abcam,Gibco,New England Biolabs',
  maintenance:
    'Maintenance contracts|Instrument service contract,Fume hood inspection|Thermo Fisher Scientific,Securitas',
  consulting: 'Consulting and analyses|External analyses,Sequencing service|Eurofins,Microsynth',
  'software-licences':
    'Software licences|MATLAB licences,Cloud storage plan,Statistics software|MathWorks,Dropbox,SAS',
  catering: 'Catering and events|Seminar catering,Conference dinner|Novae,Compass Group',
  publications: 'Publication fees|Open access fee,Poster printing|Elsevier,Springer Nature,MDPI',
  cars: 'Vehicles|Utility van,Field vehicle|Renault,Toyota,Volkswagen',
  bikes: 'Bicycles|Cargo bike,E-bike|Riese & Müller,Stromer',
  furniture: 'Office furniture|Office chairs,Desks,Shelves|Vitra,USM,Ikea',
  books: 'Books and journals|Textbooks,Journal subscription|Springer,Orell Füssli',
  misc: 'Miscellaneous|Workshop tools,Safety equipment|Hornbach,Brütsch Rüegger',
}

export const purchaseCodes: readonly PurchaseCode[] = purchaseSpecs.map(
  ([typeId, code, currency, ef, finer, min, max]) => {
    const [description = code, items = '', suppliers = ''] = (purchaseTexts[code] ?? '').split('|')
    const finerCodes = finer.split(' ').filter(Boolean)
    return {
      typeId,
      code,
      currency,
      ef,
      extra: finerCodes
        .filter((f) => f.includes('='))
        .map((f) => [f.split('=')[0]!, Number(f.split('=')[1])] as const),
      extraWithoutFactor: finerCodes.filter((f) => !f.includes('=')),
      chf: [min, max] as const,
      description,
      items: items.split(','),
      suppliers: suppliers.split(','),
    }
  },
)

/** Cloud spend factors, kg CO2-eq per EUR/USD: spend-based ratios (ADEME "services
 * informatiques" ~0.1-0.3 kg/EUR), lower for providers on low-carbon electricity. */
export const cloudFactors: readonly (readonly [string, string, string, number])[] = [
  ['compute', 'aws', 'usd', 0.22],
  ['storage', 'aws', 'usd', 0.09],
  ['virtualisation', 'aws', 'usd', 0.18],
  ['compute', 'azure', 'eur', 0.2],
  ['storage', 'azure', 'eur', 0.08],
  ['virtualisation', 'azure', 'eur', 0.17],
  ['compute', 'gcp', 'usd', 0.12],
  ['storage', 'gcp', 'usd', 0.05],
  ['virtualisation', 'gcp', 'usd', 0.1],
  ['compute', 'switch', 'eur', 0.05],
  ['storage', 'switch', 'eur', 0.02],
  ['virtualisation', 'switch', 'eur', 0.04],
]

/**
 * AI factors. SPEC §4 divides requests x ef_kg_co2eq_per_request by 1000, so the column
 * effectively holds grams per request: ~4 g for a large chat model (published estimates),
 * 1.14 g for a 400-token Mistral Large 2 reply (Mistral LCA 2025), 0.03 g for a median
 * Gemini text prompt (Google 2025).
 */
export const aiFactors: readonly (readonly [string, string, number])[] = [
  ['openai', 'text_generation', 4.3],
  ['openai', 'code_assistant', 2.5],
  ['openai', 'image_generation', 15],
  ['anthropic', 'text_generation', 3.5],
  ['mistral', 'text_generation', 1.14],
  ['google', 'text_generation', 0.03],
]

// ---------------------------------------------------------------------------------------
// Factor tables
// ---------------------------------------------------------------------------------------

/** Multiplier of emission factors for `year` relative to BASE_YEAR. */
export function yearScale(year: number): number {
  return 1.03 ** (BASE_YEAR - year)
}

export function demoFactors(year: number): { dataEntryTypeId: number; table: DemoTable }[] {
  const k = yearScale(year)
  const ef = (x: number) => num(x * k)

  // Plane: DEFRA 2024 passenger-km factors without radiative forcing (short-haul economy
  // ~0.08, long-haul economy ~0.08, business ~0.22, first ~0.30), RF multiplier 2.
  // The long band ends beyond any one trip: half the Earth's circumference (20,038 km) plus
  // the detour uplift is the longest a great-circle flight can be.
  const bands = [
    ['short_to_medium_haul', 0, 2500, { economy: 0.083, business: 0.125, first: 0.166 }],
    ['medium_to_long_haul', 2500, 40075, { economy: 0.078, business: 0.226, first: 0.312 }],
  ] as const
  const plane = bands.flatMap(([category, min, max, byCabin]) =>
    (['first', 'business', 'economy'] as const).map((cabin) => ({
      category,
      cabin_class: cabin,
      ef_kg_co2eq_per_km: ef(byCabin[cabin]),
      rfi_adjustment: '2',
      min_distance: String(min),
      max_distance: String(max),
    })),
  )

  // Train, kg/passenger-km: SBB ~7 g, SNCF TGV ~3 g, ÖBB ~12 g, DEFRA national rail ~35 g.
  const trainByCountry: readonly (readonly [string, number])[] = [
    ['CH', 0.007],
    ['FR', 0.0033],
    ['DE', 0.032],
    ['IT', 0.028],
    ['AT', 0.012],
    ['GB', 0.035],
    ['NL', 0.006],
    ['BE', 0.018],
    ['ES', 0.028],
    ['RoW', 0.04],
  ]
  const train = trainByCountry.map(([country_code, x]) => ({
    country_code,
    ef_kg_co2eq_per_km: ef(x),
  }))

  // Headcount: ADEME average meal ~2.5 kg, mixed waste incineration ~0.45 kg/kg, commuting
  // mix (car and public transport) ~0.09 kg/km.
  const member = [
    {
      headcount_category: 'food',
      unit: 'meal',
      number_of_unit_per_fte: '220',
      ef_kg_co2eq_per_unit: ef(2.5),
    },
    {
      headcount_category: 'waste',
      unit: 'kg',
      number_of_unit_per_fte: '120',
      ef_kg_co2eq_per_unit: ef(0.45),
    },
    {
      headcount_category: 'commuting',
      unit: 'km',
      number_of_unit_per_fte: '3500',
      ef_kg_co2eq_per_unit: ef(0.09),
    },
  ]

  // Combustion, incl. upstream: ADEME natural gas ~0.227 kg/kWh, heating oil ~0.30,
  // propane ~0.27, biomethane ~0.045; wood fuels per kg (KBOB orders of magnitude).
  const fuels: readonly (readonly [string, string, number])[] = [
    ['natural_gas', 'kWh', 0.228],
    ['heating_oil', 'kWh', 0.3],
    ['biomethane', 'kWh', 0.045],
    ['propane', 'kWh', 0.27],
    ['pellets', 'kg', 0.14],
    ['forest_chips', 'kg', 0.05],
    ['wood_logs', 'kg', 0.06],
  ]
  const energy = fuels.map(([name, unit, x]) => ({ name, unit, ef_kg_co2eq_per_unit: ef(x) }))

  const equipment = (typeId: 10 | 11 | 12) =>
    equipmentKinds[typeId].map((e) => ({
      equipment_class: e.cls,
      sub_class: e.sub,
      active_power_w: num(e.activeW),
      standby_power_w: num(e.standbyW),
      default_active_hours_per_week: String(e.defActive),
      default_standby_hours_per_week: String(e.defStandby),
      ef_kg_co2eq_per_kwh: ef(electricityKgPerKwh),
    }))

  const purchases = (typeId: number) =>
    purchaseCodes
      .filter((p) => p.typeId === typeId)
      .flatMap((p) => [
        {
          purchase_institutional_code: p.code,
          currency: p.currency,
          ef_kg_co2eq_per_currency: ef(p.ef),
        },
        ...p.extra.map(([extra, x]) => ({
          purchase_institutional_code: p.code,
          purchase_additional_code: extra,
          currency: p.currency,
          ef_kg_co2eq_per_currency: ef(x),
        })),
      ])

  const clouds = cloudFactors.map(([service_type, provider, currency, x]) => ({
    service_type,
    provider,
    currency,
    ef_kg_co2eq_per_currency: ef(x),
  }))
  const ai = aiFactors.map(([provider, usage_type, x]) => ({
    provider,
    usage_type,
    ef_kg_co2eq_per_request: ef(x),
  }))

  // Process emissions: IPCC AR6 GWP100 (CH4 27.9, N2O 273, R-134a 1530, R-32 771); blends
  // R-410A and R-404A from their components; a blank refrigerant subcategory matches any
  // other refrigerant. GWPs do not change per year, so they are not scaled.
  const gwp: readonly (readonly [string, string, number])[] = [
    ['CO2', '', 1],
    ['CH4', '', 27.9],
    ['N2O', '', 273],
    ['Refrigerant', '', 2000],
    ['Refrigerant', 'r134a', 1530],
    ['Refrigerant', 'r410a', 2256],
    ['Refrigerant', 'r404a', 4728],
    ['Refrigerant', 'r32', 771],
    ['Refrigerant', 'r744', 1],
  ]
  const processRows = gwp.map(([category, subcategory, x]) => ({
    category,
    subcategory,
    unit: 'kg',
    ef_kg_co2eq_per_unit: num(x),
  }))

  return [
    { dataEntryTypeId: 1, table: factorTable(1, member) },
    { dataEntryTypeId: 20, table: factorTable(20, plane) },
    { dataEntryTypeId: 21, table: factorTable(21, train) },
    { dataEntryTypeId: 31, table: factorTable(31, energy) },
    ...([10, 11, 12] as const).map((id) => ({
      dataEntryTypeId: id,
      table: factorTable(id, equipment(id)),
    })),
    ...([60, 61, 62, 63, 64, 65, 66] as const).map((id) => ({
      dataEntryTypeId: id,
      table: factorTable(id, purchases(id)),
    })),
    { dataEntryTypeId: 40, table: factorTable(40, clouds) },
    { dataEntryTypeId: 41, table: factorTable(41, ai) },
    { dataEntryTypeId: 50, table: factorTable(50, processRows) },
  ]
}

/** Value of one unit in CHF: yearly averages of the order of SNB/ECB published rates. */
const ratesByYear: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  2024: {
    aud: 0.581,
    cad: 0.643,
    cny: 0.1224,
    eur: 0.953,
    gbp: 1.126,
    jpy: 0.00582,
    sek: 0.0834,
    usd: 0.881,
  },
  2025: {
    aud: 0.538,
    cad: 0.601,
    cny: 0.1162,
    eur: 0.937,
    gbp: 1.1,
    jpy: 0.00558,
    sek: 0.0851,
    usd: 0.835,
  },
}

/** Rates of `year`; years without their own table use the nearest one. */
export function ratesOf(year: number): Readonly<Record<string, number>> {
  const years = Object.keys(ratesByYear).map(Number)
  const nearest = years.reduce((a, b) => (Math.abs(b - year) < Math.abs(a - year) ? b : a))
  return ratesByYear[nearest]!
}

export function demoCurrencyRates(year: number): DemoTable {
  return toTable(
    ['currency', 'rate_to_chf'],
    Object.entries(ratesOf(year)).map(([currency, rate]) => ({
      currency,
      rate_to_chf: String(rate),
    })),
  )
}
