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
