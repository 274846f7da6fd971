import { describe, expect, it } from 'vitest'
import { kgText } from './write-emissions.ts'

describe('kgText', () => {
  it('stores the decimal a person would write, to the milligram', () => {
    expect(kgText(1563.8546000000001)).toBe('1563.8546')
    expect(kgText(0.1 + 0.2)).toBe('0.3')
    expect(kgText(3 * 1.1)).toBe('3.3')
    expect(kgText(2.0000004)).toBe('2')
    expect(kgText(12.3456789)).toBe('12.345679')
  })

  it('keeps 0, negatives and very large values', () => {
    expect(kgText(0)).toBe('0')
    expect(kgText(-0.0000001)).toBe('0')
    expect(kgText(-5.5)).toBe('-5.5')
    expect(kgText(12_345_678_901.234)).toBe('12345678901.234')
  })
})
