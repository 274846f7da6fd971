/**
 * Values in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, and backslash,
 * tab, newline and carriage return escaped.
 */
const special = /[\\\t\n\r]/

export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N'
  const s = typeof value === 'number' ? String(value) : value
  if (!special.test(s)) return s
  return s.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  )
}

export function copyLine(values: readonly (string | number | null | undefined)[]): string {
  let line = copyValue(values[0])
  for (let i = 1; i < values.length; i++) line += '\t' + copyValue(values[i])
  return line + '\n'
}
