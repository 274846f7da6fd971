/**
 * Column specifications and the cell parser shared by every CSV format.
 *
 * Parsing is hand-written rather than zod-per-row: the server validates a million rows
 * per upload and the per-row cost has to stay in the microseconds.
 */

export type ColumnKind =
  | {
      type: 'text'
      maxLength?: number
      lowerCase?: boolean
      upperCase?: boolean
      /** Shape the trimmed value must have, with the message shown when it does not. */
      pattern?: { regex: RegExp; message: string }
    }
  | { type: 'number'; min?: number; max?: number; positive?: boolean }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'date' }

export interface ColumnSpec {
  /** Header name, lower-case snake_case. */
  name: string
  /** A blank or missing cell is a row error. */
  required: boolean
  /** How the cell is parsed and checked. */
  kind: ColumnKind
  /** One-line explanation, written into templates. */
  description: string
  /** Value used in template example rows. */
  example: string
}

/** A stored value: text, number, or absent. */
export type CellValue = string | number

export interface RowIssue {
  /** Column the problem is in, or null for the whole row. */
  column: string | null
  /** Machine-readable code. */
  code: string
  /** What is wrong, for a person fixing the file. */
  message: string
}

const plainNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const isoDate = /^(\d{4})([-/])(\d{2})\2(\d{2})$/

/** Parses a number cell strictly: `.` decimals, no thousands separator, no unit suffix. */
export function parseNumberCell(raw: string): number | RowIssueWithoutColumn {
  const s = raw.trim()
  if (plainNumber.test(s)) {
    const n = Number(s)
    if (Number.isFinite(n)) return n
  }
  // "1,000" may be a thousand or one with a decimal comma: say so rather than guess.
  if (/^[+-]?\d{1,3}(?:[,' \u00a0\u202f]\d{3})+(?:\.\d+)?$/.test(s)) {
    return {
      code: 'invalid_number',
      message: `"${raw}" has a thousands separator or a decimal comma; write the number without separators and with a dot for decimals`,
    }
  }
  if (/^[+-]?\d+,\d+$/.test(s)) {
    return {
      code: 'invalid_number',
      message: `"${raw}" uses a decimal comma; write ${s.replace(',', '.')}`,
    }
  }
  if (/^[+-]?\d+(?:\.\d+)?\s*[a-zA-Z%€$£]+$/.test(s)) {
    return { code: 'invalid_number', message: `"${raw}" has a unit suffix; write the number alone` }
  }
  return { code: 'invalid_number', message: `"${raw}" is not a number` }
}

export type RowIssueWithoutColumn = Omit<RowIssue, 'column'>

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Parses YYYY-MM-DD or YYYY/MM/DD into YYYY-MM-DD, rejecting impossible dates. */
export function parseDateCell(raw: string): string | RowIssueWithoutColumn {
  const m = isoDate.exec(raw.trim())
  if (m) {
    const y = Number(m[1])
    const mo = Number(m[3])
    const d = Number(m[4])
    const max = mo === 2 && isLeapYear(y) ? 29 : (monthDays[mo - 1] ?? 0)
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= max) return `${m[1]}-${m[3]}-${m[4]}`
  }
  return { code: 'invalid_date', message: `"${raw}" is not a date as YYYY-MM-DD or YYYY/MM/DD` }
}

/**
 * Parses one cell. Returns undefined for a blank optional cell (absent), the value, or an
 * issue. Blank means empty after trimming.
 */
export function parseCell(
  spec: ColumnSpec,
  raw: string | undefined,
): CellValue | undefined | RowIssue {
  const trimmed = raw === undefined ? '' : raw.trim()
  if (trimmed === '') {
    if (spec.required) {
      return { column: spec.name, code: 'required', message: `${spec.name} is required` }
    }
    return undefined
  }
  const kind = spec.kind
  switch (kind.type) {
    case 'text': {
      if (kind.maxLength !== undefined && trimmed.length > kind.maxLength) {
        return {
          column: spec.name,
          code: 'too_long',
          message: `${spec.name} is longer than ${kind.maxLength} characters`,
        }
      }
      const value = kind.lowerCase
        ? trimmed.toLowerCase()
        : kind.upperCase
          ? trimmed.toUpperCase()
          : trimmed
      if (kind.pattern && !kind.pattern.regex.test(value)) {
        return {
          column: spec.name,
          code: 'invalid_value',
          message: `${spec.name}: ${kind.pattern.message}, got "${trimmed}"`,
        }
      }
      return value
    }
    case 'number':
    case 'integer': {
      const n = parseNumberCell(trimmed)
      if (typeof n !== 'number') return { column: spec.name, ...n }
      if (kind.type === 'integer' && !Number.isInteger(n)) {
        return {
          column: spec.name,
          code: 'invalid_integer',
          message: `${spec.name} must be a whole number, got "${trimmed}"`,
        }
      }
      if (kind.type === 'number' && kind.positive && n <= 0) {
        return {
          column: spec.name,
          code: 'out_of_range',
          message: `${spec.name} must be greater than 0, got ${trimmed}`,
        }
      }
      if (kind.min !== undefined && n < kind.min) {
        return {
          column: spec.name,
          code: 'out_of_range',
          message: `${spec.name} must be at least ${kind.min}, got ${trimmed}`,
        }
      }
      if (kind.max !== undefined && n > kind.max) {
        return {
          column: spec.name,
          code: 'out_of_range',
          message: `${spec.name} must be at most ${kind.max}, got ${trimmed}`,
        }
      }
      return n
    }
    case 'enum': {
      const lower = trimmed.toLowerCase()
      for (const v of kind.values) if (v.toLowerCase() === lower) return v
      return {
        column: spec.name,
        code: 'invalid_value',
        message: `${spec.name} must be one of ${kind.values.join(', ')}, got "${trimmed}"`,
      }
    }
    case 'date': {
      const d = parseDateCell(trimmed)
      if (typeof d !== 'string') return { column: spec.name, ...d }
      return d
    }
  }
}

export function isRowIssue(v: unknown): v is RowIssue {
  return typeof v === 'object' && v !== null && 'code' in v
}

/** Header matching: case-insensitive, surrounding spaces ignored. */
export function normalizeHeader(raw: string): string {
  return raw.trim().toLowerCase()
}
