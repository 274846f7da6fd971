import { describe, expect, it } from 'vitest'
import { parseCsvText } from '../csv/read-csv.ts'
import type { ColumnSpec } from './columns.ts'
import {
  OVERRIDE_KEY,
  dataFormats,
  overrideColumn,
  referenceFormats,
  unitColumn,
} from './formats.ts'
import { dataEntryTypes } from './modules.ts'
import {
  compileRowReader,
  dataFormatFor,
  dataFormatOfType,
  dataUploadColumns,
  factorColumns,
  toEntryData,
} from './registry.ts'
import { dataTemplate, typeExamples } from './templates.ts'

const planeColumns = dataUploadColumns(dataFormats.plane, true)

describe('compileRowReader: header', () => {
  it('matches case-insensitively and trimmed', () => {
    const reader = compileRowReader(planeColumns, [
      ' Origin_IATA ',
      'DESTINATION_IATA',
      'user_institutional_id ',
      ' Cabin_Class',
      'Unit_Institutional_Id',
    ])
    expect(reader.header).toEqual({ missing: [], unknown: [], duplicated: [] })
    const row = reader.read(['gva', 'lhr', 'u1', 'ECONOMY', 'LAB-1'])
    expect(row.issues).toEqual([])
    expect(row.values).toEqual({
      origin_iata: 'GVA',
      destination_iata: 'LHR',
      user_institutional_id: 'u1',
      cabin_class: 'economy',
      unit_institutional_id: 'LAB-1',
    })
  })

  it('lists unknown columns and ignores them', () => {
    const reader = compileRowReader(planeColumns, [
      'origin_iata',
      'destination_iata',
      'user_institutional_id',
      'cabin_class',
      'unit_institutional_id',
      ' Airline ',
      'seat',
    ])
    expect(reader.header.unknown).toEqual(['Airline', 'seat'])
    expect(reader.header.missing).toEqual([])
    const row = reader.read(['GVA', 'LHR', 'u1', 'economy', 'LAB', 'Swiss', '12A'])
    expect(row.issues).toEqual([])
    expect(row.values).not.toHaveProperty('airline')
    expect(row.values).not.toHaveProperty('seat')
  })

  it('lists duplicated columns and uses the first one', () => {
    const reader = compileRowReader(planeColumns, [
      'origin_iata',
      'destination_iata',
      'Origin_IATA',
      'user_institutional_id',
      'cabin_class',
      'unit_institutional_id',
    ])
    expect(reader.header.duplicated).toEqual(['origin_iata'])
    const row = reader.read(['GVA', 'LHR', 'JFK', 'u1', 'economy', 'LAB'])
    expect(row.values['origin_iata']).toBe('GVA')
  })

  it('lists missing required columns (optional ones are not missing)', () => {
    const reader = compileRowReader(planeColumns, ['origin_iata', 'cabin_class'])
    expect(reader.header.missing.sort()).toEqual(
      ['destination_iata', 'unit_institutional_id', 'user_institutional_id'].sort(),
    )
    expect(reader.header.missing).not.toContain('departure_date')
    expect(reader.header.missing).not.toContain('kg_co2eq')
  })

  it('without the unit column (single-unit upload), unit_institutional_id is not required', () => {
    const reader = compileRowReader(dataUploadColumns(dataFormats.plane, false), [
      'origin_iata',
      'destination_iata',
      'user_institutional_id',
      'cabin_class',
    ])
    expect(reader.header.missing).toEqual([])
  })
})

describe('compileRowReader: rows', () => {
  const header = [
    'origin_iata',
    'destination_iata',
    'user_institutional_id',
    'cabin_class',
    'unit_institutional_id',
  ]

  it('more non-empty cells than the header: too_many_cells', () => {
    const reader = compileRowReader(planeColumns, header)
    const row = reader.read(['GVA', 'LHR', 'u1', 'economy', 'LAB', 'extra'])
    expect(row.issues).toContainEqual(
      expect.objectContaining({ column: null, code: 'too_many_cells' }),
    )
  })

  it('extra empty cells (trailing delimiters) are fine', () => {
    const reader = compileRowReader(planeColumns, header)
    expect(reader.read(['GVA', 'LHR', 'u1', 'economy', 'LAB', '', ' ']).issues).toEqual([])
  })

  it('fewer cells: missing required values are row issues', () => {
    const reader = compileRowReader(planeColumns, header)
    const row = reader.read(['GVA', 'LHR'])
    expect(row.issues.map((i) => [i.column, i.code])).toEqual(
      expect.arrayContaining([
        ['user_institutional_id', 'required'],
        ['cabin_class', 'required'],
        ['unit_institutional_id', 'required'],
      ]),
    )
  })

  it('collects one issue per bad cell, blank optional cells are absent', () => {
    const reader = compileRowReader(planeColumns, [
      ...header,
      'departure_date',
      'number_of_trips',
      'kg_co2eq',
    ])
    const row = reader.read(['GENEVA', 'LHR', 'u1', 'premium', 'LAB', '2025-02-29', '1.5', ''])
    expect(row.issues.map((i) => [i.column, i.code])).toEqual([
      ['origin_iata', 'invalid_value'],
      ['cabin_class', 'invalid_value'],
      ['departure_date', 'invalid_date'],
      ['number_of_trips', 'invalid_integer'],
    ])
    const ok = reader.read(['GVA', 'LHR', 'u1', 'economy', 'LAB', '', '', ''])
    expect(ok.issues).toEqual([])
    expect(ok.values).not.toHaveProperty('departure_date')
    expect(ok.values).not.toHaveProperty('number_of_trips')
    expect(ok.values).not.toHaveProperty('kg_co2eq')
  })

  describe('equipment checkRow', () => {
    const columns = dataUploadColumns(dataFormats.equipment, false)
    const header = [
      'equipment_id',
      'name',
      'equipment_class',
      'active_usage_hours_per_week',
      'standby_usage_hours_per_week',
    ]
    const reader = compileRowReader(columns, header, dataFormats.equipment.checkRow)

    it('active 100 + standby 100 > 168: invalid_row', () => {
      const row = reader.read(['EQ-1', 'Microscope', 'microscope', '100', '100'])
      expect(row.issues).toHaveLength(1)
      expect(row.issues[0]).toMatchObject({ column: null, code: 'invalid_row' })
      expect(row.issues[0]!.message).toContain('200')
    })

    it('active 40 + standby 128 = 168: fine', () => {
      expect(reader.read(['EQ-1', 'Microscope', 'microscope', '40', '128']).issues).toEqual([])
    })

    it("one blank: not checked against 168 (the default is the factor's)", () => {
      expect(reader.read(['EQ-1', 'Microscope', 'microscope', '168', '']).issues).toEqual([])
    })
  })
})

describe('toEntryData', () => {
  it('moves kg_co2eq to OVERRIDE_KEY and splits unit_institutional_id out', () => {
    const { data, unitInstitutionalId } = toEntryData({
      name: 'Pellets',
      quantity: 10,
      kg_co2eq: 12.5,
      unit_institutional_id: 'LAB-ENERGY',
    })
    expect(unitInstitutionalId).toBe('LAB-ENERGY')
    expect(data).toEqual({ name: 'Pellets', quantity: 10, [OVERRIDE_KEY]: 12.5 })
    expect(data).not.toHaveProperty('kg_co2eq')
    expect(data).not.toHaveProperty('unit_institutional_id')
  })

  it('keeps an override of 0 as 0', () => {
    const { data } = toEntryData({ name: 'Pellets', quantity: 10, kg_co2eq: 0 })
    expect(data[OVERRIDE_KEY]).toBe(0)
    expect(Object.prototype.hasOwnProperty.call(data, OVERRIDE_KEY)).toBe(true)
  })

  it('no override, no unit: neither key', () => {
    const { data, unitInstitutionalId } = toEntryData({ name: 'Pellets', quantity: 10 })
    expect(data).toEqual({ name: 'Pellets', quantity: 10 })
    expect(unitInstitutionalId).toBeUndefined()
  })

  it('end to end from a row with kg_co2eq 0', () => {
    const columns = dataUploadColumns(dataFormats.energy_combustion, true)
    const reader = compileRowReader(columns, [
      'unit_institutional_id',
      'name',
      'quantity',
      'kg_co2eq',
    ])
    const row = reader.read(['LAB-1', 'Natural_Gas', '12000', '0'])
    expect(row.issues).toEqual([])
    expect(toEntryData(row.values)).toEqual({
      data: { name: 'natural_gas', quantity: 12000, [OVERRIDE_KEY]: 0 },
      unitInstitutionalId: 'LAB-1',
    })
  })
})

describe('registry', () => {
  const firstWave = [1, 20, 21, 31, 10, 11, 12, 60, 61, 62, 63, 64, 65, 66, 40, 41, 50]

  it.each(firstWave)('first-wave type %i has a data format', (id) => {
    expect(dataFormatOfType[id]).toBeDefined()
    expect(dataFormatFor(id)).toBeDefined()
    expect(dataEntryTypes.some((t) => t.id === id)).toBe(true)
  })

  it('formats by type match SPEC §3', () => {
    expect(dataFormatOfType).toMatchObject({
      1: 'member',
      20: 'plane',
      21: 'train',
      31: 'energy_combustion',
      10: 'equipment',
      11: 'equipment',
      12: 'equipment',
      40: 'external_clouds',
      41: 'external_ai',
      50: 'process_emissions',
    })
    for (const id of [60, 61, 62, 63, 64, 65, 66]) expect(dataFormatOfType[id]).toBe('purchases')
  })

  it('no column name of any format starts with "$" (no collision with OVERRIDE_KEY)', () => {
    expect(OVERRIDE_KEY.startsWith('$')).toBe(true)
    const all: ColumnSpec[] = [overrideColumn, unitColumn]
    for (const f of Object.values(dataFormats)) all.push(...f.columns, ...factorColumns(f))
    for (const cols of Object.values(referenceFormats)) all.push(...cols)
    for (const c of all) {
      expect(c.name.startsWith('$'), c.name).toBe(false)
      expect(c.name).toBe(c.name.trim().toLowerCase())
    }
  })
})

/** Non-comment, non-blank lines of a template split on commas (with "..." quoting). */
function templateRecords(text: string): string[][] {
  const split = (line: string): string[] => {
    const cells: string[] = []
    let cell = ''
    let quoted = false
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cell += '"'
          i++
        } else if (ch === '"') quoted = false
        else cell += ch
      } else if (ch === '"') quoted = true
      else if (ch === ',') {
        cells.push(cell)
        cell = ''
      } else cell += ch
    }
    cells.push(cell)
    return cells
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map(split)
}

describe('dataTemplate', () => {
  it('plane: comments, header with origin_iata, unit_institutional_id and kg_co2eq', () => {
    const text = dataTemplate('plane')
    expect(text).toBeDefined()
    const lines = text!.split('\n').filter((l) => l !== '')
    const comments = lines.filter((l) => l.startsWith('#'))
    expect(comments.length).toBeGreaterThan(0)
    // a comment explains each column
    for (const c of planeColumns) expect(comments.some((l) => l.includes(c.name))).toBe(true)
    const [header, ...examples] = templateRecords(text!)
    expect(header).toContain('origin_iata')
    expect(header).toContain('unit_institutional_id')
    expect(header).toContain('kg_co2eq')
    expect(examples.length).toBeGreaterThanOrEqual(1)
  })

  const supported = dataEntryTypes.filter((t) => dataFormatOfType[t.id] !== undefined)

  it('every first-wave type is supported by a template', () => {
    expect(supported.map((t) => t.id).sort((a, b) => a - b)).toEqual([
      1, 10, 11, 12, 20, 21, 31, 40, 41, 50, 60, 61, 62, 63, 64, 65, 66,
    ])
  })

  it.each(supported.map((t) => [t.key, t.id] as const))(
    '%s (%i): example rows parse back without issues',
    (key, id) => {
      const text = dataTemplate(key)
      expect(text).toBeDefined()
      const format = dataFormats[dataFormatOfType[id]!]
      const columns = dataUploadColumns(format, true)
      const [header, ...examples] = templateRecords(text!)
      const reader = compileRowReader(columns, header!, format.checkRow)
      expect(reader.header).toEqual({ missing: [], unknown: [], duplicated: [] })
      expect(examples.length).toBeGreaterThanOrEqual(1)
      for (const cells of examples) {
        expect(cells).toHaveLength(header!.length)
        expect(reader.read(cells).issues).toEqual([])
      }
    },
  )

  it.each(supported.map((t) => t.key))(
    '%s: the real CSV reader reads the template (comments skipped, comma delimiter)',
    (key) => {
      const text = dataTemplate(key)!
      const parsed = parseCsvText(text)
      expect(parsed.delimiter).toBe(',')
      const [header, ...examples] = templateRecords(text)
      expect(parsed.header.cells).toEqual(header)
      expect(parsed.records.map((r) => r.cells)).toEqual(examples)
    },
  )

  it('per-type example values name supported types and columns of their format', () => {
    for (const [key, values] of Object.entries(typeExamples)) {
      const type = supported.find((t) => t.key === key)
      expect(type, key).toBeDefined()
      const names = dataUploadColumns(dataFormats[dataFormatOfType[type!.id]!], true).map(
        (c) => c.name,
      )
      for (const column of Object.keys(values)) expect(names, `${key}.${column}`).toContain(column)
    }
  })

  it('unsupported or unknown types: undefined', () => {
    expect(dataTemplate('student')).toBeUndefined()
    expect(dataTemplate('building_room')).toBeUndefined()
    expect(dataTemplate('no_such_type')).toBeUndefined()
  })
})
