/**
 * The CSV files the journeys upload, built here with what the test expects of them computed
 * independently of the code under test (SPEC §3 formats, §4 formulas).
 */

/** Parses CSV text (quotes, doubled quotes, CRLF or LF, an optional BOM) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

/** A factor of energy combustion (SPEC §3): kg CO2-eq per unit of a fuel. */
export interface FuelFactor {
  name: string
  /** The factor's unit, lower-cased as stored ('kwh', 'kg', 'l'). */
  unit: string
  ef: number
}

export interface EnergyFile {
  fileName: string
  content: string
  header: string
  /** Data rows in the file, the bad one included. */
  rowsTotal: number
  /** kg CO2-eq of the valid rows: quantity x factor, or the row's kg_co2eq override. */
  expectedKg: number
  bad: { line: number; cells: string[]; column: string }
}

const fileUnit: Record<string, string> = { kwh: 'kWh', kg: 'kg', l: 'l' }
const unitsA = ['LAB-CLIMATE', 'LAB-ENERGY', 'LAB-BIOCHEM', 'LAB-MATERIALS', 'DEPT-ADMIN']

/**
 * Energy combustion rows for Demo University A, exactly one of them invalid (a quantity with a
 * thousands separator, SPEC §3: a row error, not a guess). Every 500th row carries a kg_co2eq
 * override (0 included, which is an override and not "absent"); a few leave the unit blank
 * (the factor's unit applies).
 */
export function energyCombustionFile(
  rows: number,
  factors: readonly FuelFactor[],
  badIndex: number,
): EnergyFile {
  if (factors.length === 0) throw new Error('no energy combustion factor to build rows with')
  const header = 'unit_institutional_id,name,quantity,unit,note,kg_co2eq'
  const lines = [
    '# Energy bills of the year, exported for the e2e journey of the data manager',
    header,
  ]
  let expectedKg = 0
  let bad: EnergyFile['bad'] | undefined
  for (let i = 0; i < rows; i++) {
    const factor = factors[i % factors.length]!
    const unitId = unitsA[i % unitsA.length]!
    const quantity = 10 + (i % 89) + 0.25
    const unit = i % 7 === 0 ? '' : fileUnit[factor.unit]!
    const override = i % 500 === 0 ? (i % 1000 === 0 ? '0' : '12.5') : ''
    if (i === badIndex) {
      const cells = [unitId, factor.name, '1,200', unit, `row ${i}`, '']
      lines.push([unitId, factor.name, '"1,200"', unit, `row ${i}`, ''].join(','))
      bad = { line: lines.length, cells, column: 'quantity' }
      continue
    }
    lines.push([unitId, factor.name, String(quantity), unit, `row ${i}`, override].join(','))
    expectedKg += override === '' ? quantity * factor.ef : Number(override)
  }
  return {
    fileName: 'energy-combustion-e2e.csv',
    content: lines.join('\n') + '\n',
    header,
    rowsTotal: rows,
    expectedKg,
    bad: bad!,
  }
}

/** Plane trips between airports of the demo reference data; every row valid. */
export function planeFile(rows: number, fileName: string): { fileName: string; content: string } {
  const pairs = [
    ['GVA', 'LHR'],
    ['ZRH', 'JFK'],
    ['GVA', 'CDG'],
    ['BSL', 'AMS'],
    ['ZRH', 'FRA'],
  ] as const
  const lines = [
    'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class,departure_date,number_of_trips',
  ]
  for (let i = 0; i < rows; i++) {
    const [from, to] = pairs[i % pairs.length]!
    lines.push(
      `${unitsA[i % unitsA.length]},${from},${to},u${10001 + (i % 115)},economy,2025-03-${String(1 + (i % 28)).padStart(2, '0')},1`,
    )
  }
  return { fileName, content: lines.join('\n') + '\n' }
}

/**
 * Plane trips of Demo University A, every row valid, one of them to an airport the reference
 * data does not know (ZZZ): SPEC §4 keeps that entry, with no emission and a row warning.
 */
export function planeFileWithUnknownAirport(fileName: string) {
  const header =
    'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class,departure_date,number_of_trips'
  const rows = [
    ['LAB-CLIMATE', 'GVA', 'LHR', 'u10001', 'economy', '2025-03-01', '1'],
    ['LAB-ENERGY', 'ZRH', 'ZZZ', 'u10002', 'economy', '2025-03-02', '2'],
    ['LAB-BIOCHEM', 'GVA', 'CDG', 'u10003', 'economy', '2025-03-03', '1'],
    ['DEPT-ADMIN', 'BSL', 'AMS', 'u10004', 'economy', '2025-03-04', '1'],
  ]
  const lines = [header, ...rows.map((r) => r.join(','))]
  return {
    fileName,
    content: lines.join('\n') + '\n',
    header,
    rowsTotal: rows.length,
    // Line 1 is the header: the second data row is line 3.
    unknown: { line: 3, cells: rows[1]!, code: 'ZZZ' },
  }
}

/** Process emissions whose every row names a unit the institution does not have (SPEC §3). */
export function processEmissionsFile(unitId: string, fileName: string) {
  return {
    fileName,
    content: [
      'unit_institutional_id,category,subcategory,quantity,note',
      `${unitId},CO2,dry_ice,120,Dry ice for sample shipping`,
      `${unitId},Refrigerant,r134a,1.5,Chiller leak`,
      `${unitId},CH4,,3,Calibration gas`,
    ].join('\n'),
  }
}

/** External cloud spending of one unit (SPEC §3 external_clouds). */
export function externalCloudsFile(unitId: string, fileName: string) {
  return {
    fileName,
    content: [
      'unit_institutional_id,service_type,provider,spent_amount,currency,note',
      `${unitId},compute,aws,4200,usd,GPU nodes`,
      `${unitId},storage,aws,800,usd,Backups`,
    ].join('\n'),
  }
}
