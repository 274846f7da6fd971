/** Display formatting. Values stay exact in data; only what people read is rounded. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
})
const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

/** "154,754 kg", "12.35 kg", "1,254.8 t": kg up to a million, then tonnes. */
export function formatKg(kg: number | null | undefined): string {
  if (kg === null || kg === undefined || !Number.isFinite(kg)) return '—'
  const size = Math.abs(kg)
  if (size >= 1_000_000) return `${oneDecimal.format(kg / 1000)} t`
  if (size >= 100) return `${integer.format(kg)} kg`
  return `${twoDecimals.format(kg)} kg`
}

/** The exact value, for a title or a table cell where precision matters. */
export function formatKgExact(kg: number): string {
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(kg)} kg CO2-eq`
}

/** The mass unit a column or an axis of kg CO2-eq values is shown in. */
export type MassUnit = 'kg' | 't'

/** From 10 t up, a column (or an axis) reads in tonnes: short numbers that still line up. */
const TONNES_FROM_KG = 10_000

/**
 * One unit for a set of values that are read together (a table column, a chart axis), chosen
 * from the largest of them, so that "97.79 kg" never stands beside "3,002.8 t".
 */
export function massUnitFor(kgValues: Iterable<number | null | undefined>): MassUnit {
  let largest = 0
  for (const kg of kgValues)
    if (kg !== null && kg !== undefined && Number.isFinite(kg))
      largest = Math.max(largest, Math.abs(kg))
  return largest >= TONNES_FROM_KG ? 't' : 'kg'
}

/** "t CO2-eq", for a column header or an axis name. */
export function massUnitLabel(unit: MassUnit): string {
  return `${unit} CO2-eq`
}

const upToThreeDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 })

/**
 * A value in the unit of its column, without the unit (the header says it): kg as formatKg
 * rounds them; tonnes with one decimal, so that a column lines up at the decimal point. A value
 * too small to show in tonnes says so ("< 0.1") rather than reading as nothing.
 */
export function formatMass(kg: number | null | undefined, unit: MassUnit): string {
  if (kg === null || kg === undefined || !Number.isFinite(kg)) return '—'
  if (unit === 'kg') return Math.abs(kg) >= 100 ? integer.format(kg) : twoDecimals.format(kg)
  const t = kg / 1000
  if (t !== 0 && Math.abs(t) < 0.05) return t > 0 ? '< 0.1' : '> -0.1'
  return oneDecimal.format(t)
}

/** An axis tick in the axis' unit: "2,500", "0.5" (no forced decimals on round ticks). */
export function formatMassTick(kg: number, unit: MassUnit): string {
  return upToThreeDecimals.format(unit === 't' ? kg / 1000 : kg)
}

/**
 * A kg value for a CSV export: rounded to the gram (3 decimals), so that sums of floats do not
 * leak their noise (4559.9701000000005) into a spreadsheet.
 */
export function csvKg(kg: number): string {
  const rounded = Math.round(kg * 1000) / 1000
  return String(rounded === 0 ? 0 : rounded)
}

/** Words after a number that make it a count (to group), not a year or an id (to leave). */
const countWords = /^\s+(?:rows?|entries|entry|modules?|units?|lines?|failed|stored|changed)\b/

/**
 * A message the server wrote (a job's status, an event), for display: kg values as formatKg
 * says them ("50091600.0 kg CO2-eq" -> "50,091.6 t CO2-eq") and counts grouped ("150000
 * entries" -> "150,000 entries"). Other numbers (years, ids: "job 12345") stay as written.
 */
export function formatServerMessage(text: string): string {
  return text
    .replace(
      /(?<![\w.,])(-?\d+(?:\.\d+)?) kg CO2-eq/g,
      (_, n: string) => `${formatKg(Number(n))} CO2-eq`,
    )
    .replace(/(?<![\w.,-])\d{4,}(?![\w.,])/g, (digits: string, offset: number, whole: string) =>
      countWords.test(whole.slice(offset + digits.length))
        ? integer.format(Number(digits))
        : digits,
    )
}

export function formatCount(n: number): string {
  return integer.format(n)
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
]

/** "3 minutes ago", "now". `now` is passed in so that a ticking clock can re-render it. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—'
  const seconds = Math.round((Date.parse(iso) - now) / 1000)
  // Slightly in the future is a clock that has not ticked yet (or a skewed one), not a promise.
  if (seconds > -5 && seconds < 120) return 'just now'
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return relative.format(Math.round(seconds / size), unit)
    }
  }
  return '—'
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
})

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  return dateTime.format(new Date(iso))
}

/** "850 ms", "12.4 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return `${minutes} min ${Math.round(s % 60)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** Milliseconds between two ISO times; to `now` when the end is not there yet. */
export function durationBetween(
  start: string | null | undefined,
  end: string | null | undefined,
  now = Date.now(),
): number | null {
  if (!start) return null
  return (end ? Date.parse(end) : now) - Date.parse(start)
}
