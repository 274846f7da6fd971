import { describe, expect, it } from 'vitest'
import {
  isRowIssue,
  normalizeHeader,
  parseCell,
  parseDateCell,
  parseNumberCell,
  type ColumnKind,
  type ColumnSpec,
} from './columns.ts'

const spec = (kind: ColumnKind, required = true, name = 'value'): ColumnSpec => ({
  name,
  required,
  kind,
  description: '',
  example: '',
})

describe('parseNumberCell', () => {
  it.each([
    ['12', 12],
    ['12.5', 12.5],
    ['-0.5', -0.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    [' 7 ', 7],
    ['+3', 3],
    ['0', 0],
  ])('accepts %j as %d', (raw, expected) => {
    expect(parseNumberCell(raw)).toBe(expected)
  })

  it('decimal comma: invalid_number, suggests the dot', () => {
    const r = parseNumberCell('12,5')
    expect(r).toMatchObject({ code: 'invalid_number' })
    expect(typeof r === 'object' && r.message).toMatch(/decimal comma/)
    expect(typeof r === 'object' && r.message).toContain('12.5')
  })

  it.each(["1'000", '1 000', '1\u00a0000', '12 345 678', "1'000.50"])(
    'thousands separator %j: invalid_number naming the separator',
    (raw) => {
      const r = parseNumberCell(raw)
      expect(r).toMatchObject({ code: 'invalid_number' })
      expect(typeof r === 'object' && r.message).toMatch(/thousands separator/)
    },
  )

  it('"1,000": invalid_number', () => {
    expect(parseNumberCell('1,000')).toMatchObject({ code: 'invalid_number' })
  })

  // "1,000" is ambiguous (a thousand, or 1 with a decimal comma): the message must not guess.
  it('"1,000": message mentions the thousands separator, does not advise "1.000"', () => {
    const r = parseNumberCell('1,000')
    expect(r).toMatchObject({ code: 'invalid_number' })
    const message = typeof r === 'object' ? r.message : ''
    expect(message).toMatch(/thousands separator/)
    expect(message).not.toContain('write 1.000')
  })

  it.each(['12kg', '3 km', '5%', '12.5 kWh', '100€'])('unit suffix %j: invalid_number', (raw) => {
    const r = parseNumberCell(raw)
    expect(r).toMatchObject({ code: 'invalid_number' })
    expect(typeof r === 'object' && r.message).toMatch(/unit suffix/)
  })

  it.each(['abc', '', '1.2.3', '--1', 'Infinity', 'NaN', '0x10', '1e999'])(
    'not a number %j: invalid_number',
    (raw) => {
      const r = parseNumberCell(raw)
      expect(r).toMatchObject({ code: 'invalid_number' })
      expect(typeof r === 'object' && r.message).toContain(`"${raw}"`)
    },
  )
})

describe('parseCell: numbers', () => {
  const num = spec({ type: 'number' })

  it('returns numbers, trimmed', () => {
    expect(parseCell(num, ' 7 ')).toBe(7)
    expect(parseCell(num, '1e3')).toBe(1000)
  })

  it('bad numbers carry the column and code invalid_number', () => {
    expect(parseCell(num, '12,5')).toMatchObject({ column: 'value', code: 'invalid_number' })
    expect(parseCell(num, '12kg')).toMatchObject({ column: 'value', code: 'invalid_number' })
  })

  it('blank required -> required; blank optional -> undefined', () => {
    expect(parseCell(num, '')).toMatchObject({ column: 'value', code: 'required' })
    expect(parseCell(num, '   ')).toMatchObject({ code: 'required' })
    expect(parseCell(num, undefined)).toMatchObject({ code: 'required' })
    const opt = spec({ type: 'number' }, false)
    expect(parseCell(opt, '')).toBeUndefined()
    expect(parseCell(opt, '  ')).toBeUndefined()
    expect(parseCell(opt, undefined)).toBeUndefined()
  })

  it('integer columns reject 1.5 and accept 2', () => {
    const int = spec({ type: 'integer', min: 0, max: 168 })
    expect(parseCell(int, '1.5')).toMatchObject({ column: 'value', code: 'invalid_integer' })
    expect(parseCell(int, '2')).toBe(2)
    expect(parseCell(int, '2.0')).toBe(2)
  })

  it('min / max are inclusive bounds', () => {
    const range = spec({ type: 'number', min: 0, max: 1 })
    expect(parseCell(range, '0')).toBe(0)
    expect(parseCell(range, '1')).toBe(1)
    expect(parseCell(range, '0.5')).toBe(0.5)
    expect(parseCell(range, '-0.01')).toMatchObject({ code: 'out_of_range' })
    expect(parseCell(range, '1.01')).toMatchObject({ code: 'out_of_range' })
    const int = spec({ type: 'integer', min: 0, max: 168 })
    expect(parseCell(int, '168')).toBe(168)
    expect(parseCell(int, '169')).toMatchObject({ code: 'out_of_range' })
    expect(parseCell(int, '-1')).toMatchObject({ code: 'out_of_range' })
    const atLeast = spec({ type: 'number', min: 0.1 })
    expect(parseCell(atLeast, '0.1')).toBe(0.1)
    expect(parseCell(atLeast, '0.09')).toMatchObject({ code: 'out_of_range' })
  })

  it('positive rejects 0', () => {
    const pos = spec({ type: 'number', positive: true })
    expect(parseCell(pos, '0')).toMatchObject({ code: 'out_of_range' })
    expect(parseCell(pos, '0.94')).toBe(0.94)
  })
})

describe('parseCell: enums', () => {
  const cabin = spec({ type: 'enum', values: ['first', 'business', 'economy'] })
  const unit = spec({ type: 'enum', values: ['kWh', 'kg', 'l'] })

  it('case-insensitive, returns the canonical value', () => {
    expect(parseCell(cabin, 'ECONOMY')).toBe('economy')
    expect(parseCell(cabin, ' Business ')).toBe('business')
    expect(parseCell(unit, 'kwh')).toBe('kWh')
    expect(parseCell(unit, 'KWH')).toBe('kWh')
    expect(parseCell(unit, 'L')).toBe('l')
  })

  it('unknown value: invalid_value listing the choices', () => {
    const r = parseCell(cabin, 'premium')
    expect(r).toMatchObject({ column: 'value', code: 'invalid_value' })
    expect(isRowIssue(r) && r.message).toContain('first, business, economy')
  })
})

describe('dates', () => {
  it.each([
    ['2025-03-14', '2025-03-14'],
    ['2025/03/14', '2025-03-14'],
    [' 2025/12/31 ', '2025-12-31'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
  ])('accepts %j as %j', (raw, expected) => {
    expect(parseDateCell(raw)).toBe(expected)
    expect(parseCell(spec({ type: 'date' }), raw)).toBe(expected)
  })

  it.each([
    '2025-02-29',
    '1900-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    '2025-01-00',
    '14.03.2025',
    '2025-3-14',
    '25-03-14',
    'tomorrow',
  ])('rejects %j with invalid_date', (raw) => {
    expect(parseDateCell(raw)).toMatchObject({ code: 'invalid_date' })
    expect(parseCell(spec({ type: 'date' }), raw)).toMatchObject({
      column: 'value',
      code: 'invalid_date',
    })
  })

  // SPEC §3 allows "YYYY-MM-DD or YYYY/MM/DD", not a mix.
  it('rejects mixed separators 2025-03/14', () => {
    expect(parseDateCell('2025-03/14')).toMatchObject({ code: 'invalid_date' })
  })
})

describe('parseCell: text', () => {
  const iata = spec({
    type: 'text',
    upperCase: true,
    pattern: { regex: /^[A-Z]{3}$/, message: 'must be a three-letter IATA code' },
  })

  it('upper-cases then checks the pattern', () => {
    expect(parseCell(iata, 'gva')).toBe('GVA')
    expect(parseCell(iata, ' lhr ')).toBe('LHR')
  })

  it('pattern mismatch: invalid_value with the pattern message and the value', () => {
    const r = parseCell(iata, 'GENEVA')
    expect(r).toMatchObject({ column: 'value', code: 'invalid_value' })
    expect(isRowIssue(r) && r.message).toContain('three-letter IATA code')
    expect(isRowIssue(r) && r.message).toContain('GENEVA')
  })

  it('lower-cases and trims', () => {
    expect(parseCell(spec({ type: 'text', lowerCase: true }), '  Natural_Gas ')).toBe('natural_gas')
    expect(parseCell(spec({ type: 'text' }), '  Ada Lovelace ')).toBe('Ada Lovelace')
  })

  it('maxLength: too_long', () => {
    const t = spec({ type: 'text', maxLength: 3 })
    expect(parseCell(t, 'abc')).toBe('abc')
    expect(parseCell(t, 'abcd')).toMatchObject({ code: 'too_long' })
  })
})

describe('normalizeHeader', () => {
  it('trims and lower-cases', () => {
    expect(normalizeHeader(' Origin_IATA ')).toBe('origin_iata')
  })
})
