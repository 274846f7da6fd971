import { describe, expect, it } from 'vitest'
import { csvKg, formatMass, formatServerMessage, massUnitFor } from './format'

describe('one mass unit per column or axis', () => {
  it('is chosen from the largest value: tonnes from 10 t', () => {
    expect(massUnitFor([97.79, 3_002_800])).toBe('t')
    expect(massUnitFor([97.79, 9_999])).toBe('kg')
    expect(massUnitFor([-20_000, 5])).toBe('t')
    expect(massUnitFor([undefined, null, Number.NaN])).toBe('kg')
  })

  it('formats every value of the column in that unit, without it', () => {
    expect(formatMass(3_002_800, 't')).toBe('3,002.8')
    // One decimal all down a tonnes column; the exact kg are in the cell's title.
    expect(formatMass(97.79, 't')).toBe('0.1')
    expect(formatMass(4_559.97, 't')).toBe('4.6')
    expect(formatMass(20_000, 't')).toBe('20.0')
    expect(formatMass(0, 't')).toBe('0.0')
    // Not nothing: too small to show in tonnes.
    expect(formatMass(12, 't')).toBe('< 0.1')
    expect(formatMass(154_754.3, 'kg')).toBe('154,754')
    expect(formatMass(12.345, 'kg')).toBe('12.35')
    expect(formatMass(undefined, 'kg')).toBe('—')
  })
})

describe('csvKg', () => {
  it('rounds to the gram, dropping float noise', () => {
    expect(csvKg(4559.9701000000005)).toBe('4559.97')
    expect(csvKg(0.1 + 0.2)).toBe('0.3')
    expect(csvKg(-12.5)).toBe('-12.5')
    expect(csvKg(1234.56789)).toBe('1234.568')
    expect(csvKg(-0.0001)).toBe('0')
  })
})

describe('formatServerMessage', () => {
  it('formats kg values and counts, leaves years and ids', () => {
    expect(formatServerMessage('1234 entries, 50091600.0 kg CO2-eq')).toBe(
      '1,234 entries, 50,091.6 t CO2-eq',
    )
    expect(
      formatServerMessage('150000 entries recalculated (20000 changed), 0 without emission'),
    ).toBe('150,000 entries recalculated (20,000 changed), 0 without emission')
    expect(formatServerMessage('12.5 kg CO2-eq')).toBe('12.5 kg CO2-eq')
    expect(formatServerMessage('Job 12345 was already recovered: job 12346 retries it')).toBe(
      'Job 12345 was already recovered: job 12346 retries it',
    )
    expect(formatServerMessage('No factor for natural_gas in 2025')).toBe(
      'No factor for natural_gas in 2025',
    )
  })
})
