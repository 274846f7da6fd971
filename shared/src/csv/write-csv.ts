import type { CsvDelimiter } from './read-csv'

/**
 * Quote a cell when it contains the delimiter, a quote, CR or LF; double inner quotes.
 * null and undefined become empty cells. Returns the row without a line terminator.
 * A first cell starting with # is quoted too, or readCsv would take the row for a comment.
 * Formula escaping is deliberately separate (see escapeFormula): callers exporting user data for
 * spreadsheets apply it per cell, while machine-to-machine exports must keep values verbatim.
 */
export function formatCsvRow(
  cells: readonly (string | number | null | undefined)[],
  delimiter: CsvDelimiter = ',',
): string {
  let row = ''
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]
    const text = cell === null || cell === undefined ? '' : String(cell)
    if (i > 0) row += delimiter
    const quote = needsQuotes(text, delimiter) || (i === 0 && text.startsWith('#'))
    row += quote ? `"${text.replaceAll('"', '""')}"` : text
  }
  return row
}

function needsQuotes(text: string, delimiter: CsvDelimiter): boolean {
  return (
    text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')
  )
}

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r'])
// Signed numbers must survive unchanged: negative emissions adjustments like "-12.5" are common.
// A comma is accepted as decimal separator because semicolon files use it ("-12,5").
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$/

/**
 * Escape against formula injection: a cell whose first character is = + - @ TAB or CR and that is
 * not a plain number (e.g. "-12.5" stays) gets a leading single quote, which spreadsheets display
 * as text instead of evaluating.
 */
export function escapeFormula(cell: string): string {
  const first = cell.charAt(0)
  if (!FORMULA_TRIGGERS.has(first)) return cell
  if (PLAIN_NUMBER.test(cell)) return cell
  return `'${cell}`
}
