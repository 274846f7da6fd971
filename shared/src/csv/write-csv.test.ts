import { describe, expect, it } from 'vitest'
import { parseCsvText } from './read-csv'
import { escapeFormula, formatCsvRow } from './write-csv'

describe('formatCsvRow', () => {
  it('leaves plain cells unquoted and renders null, undefined and numbers', () => {
    expect(formatCsvRow(['a', 12.5, null, undefined, -3, ''])).toBe('a,12.5,,,-3,')
  })

  it('quotes cells containing the delimiter, quotes, CR or LF', () => {
    expect(formatCsvRow(['1,5', 'say "hi"', 'a\nb', 'c\rd', 'x;y'])).toBe(
      '"1,5","say ""hi""","a\nb","c\rd",x;y',
    )
    expect(formatCsvRow(['1,5', 'x;y', '#'], ';')).toBe('1,5;"x;y";#')
  })

  it('quotes a leading # so the row is not read back as a comment', () => {
    expect(formatCsvRow(['#1', '#2'])).toBe('"#1",#2')
  })

  it('round-trips through the reader', () => {
    const cells = ['#first', 'plain', ' spaced ', 'a,b', 'q"uote', 'multi\r\nline', '#hash', 'é😀']
    for (const delimiter of [',', ';'] as const) {
      const text = `${formatCsvRow(['h1', 'h2'], delimiter)}\n${formatCsvRow(cells, delimiter)}\n`
      const { records } = parseCsvText(text)
      expect(records[0]?.cells).toEqual(cells)
    }
  })
})

describe('escapeFormula', () => {
  it.each(['=SUM(A1:A9)', '+1+2', '-2+3', '@cmd', '\t=1', '\r=1', '=', '-', '-1-2', '+ 12'])(
    'prefixes %j with a single quote',
    (cell) => {
      expect(escapeFormula(cell)).toBe(`'${cell}`)
    },
  )

  it.each(['-12.5', '+3', '-0', '-.5', '-12,5', '-1e5', '1+2', 'abc', '', "'=1", ' =1'])(
    'keeps %j unchanged',
    (cell) => {
      expect(escapeFormula(cell)).toBe(cell)
    },
  )
})
