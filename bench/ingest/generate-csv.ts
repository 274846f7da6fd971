import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdir, rename } from 'node:fs/promises'
import path from 'node:path'

/**
 * The benchmark's input: a plane CSV as a back office exports it (SPEC §3 columns, one unit
 * column), from a seeded PRNG so that every run loads the same bytes. Written to disk in
 * slices; the file is never one string in memory.
 */
export const planeColumns = [
  'unit_institutional_id',
  'origin_iata',
  'destination_iata',
  'user_institutional_id',
  'cabin_class',
  'departure_date',
  'number_of_trips',
] as const

export interface PlaneCsvOptions {
  rows: number
  year: number
  seed: number
  /** Institutional ids of the units the rows name. */
  units: readonly string[]
  /** IATA codes of seeded airports. */
  airports: readonly string[]
}

/** mulberry32: small, fast, and good enough to spread test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The data rows, one CSV line each (with its newline). */
export function* planeRows(options: PlaneCsvOptions): Generator<string> {
  const { units, airports, year } = options
  if (units.length === 0 || airports.length < 2) throw new Error('need units and two airports')
  const random = prng(options.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const two = (n: number) => String(n).padStart(2, '0')
  for (let i = 0; i < options.rows; i++) {
    const origin = pick(airports)
    let destination = pick(airports)
    while (destination === origin) destination = pick(airports)
    const c = random()
    const cabin = c < 0.82 ? 'economy' : c < 0.97 ? 'business' : 'first'
    const date = `${year}-${two(1 + Math.floor(random() * 12))}-${two(1 + Math.floor(random() * 28))}`
    const t = random()
    const trips = t < 0.85 ? 1 : t < 0.95 ? 2 : 3 + Math.floor(random() * 4)
    const user = `u${10000 + Math.floor(random() * 4000)}`
    yield `${pick(units)},${origin},${destination},${user},${cabin},${date},${trips}\n`
  }
}

/** Writes the CSV (header and rows) to `file` through a temporary name; returns its size. */
export async function writePlaneCsv(file: string, options: PlaneCsvOptions): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true })
  const partial = `${file}.part`
  const out = createWriteStream(partial)
  const failed = new Promise<never>((_, reject) => out.once('error', reject))
  failed.catch(() => {}) // Observed through the races below.
  let bytes = 0
  let slice = planeColumns.join(',') + '\n'
  const flush = async () => {
    bytes += Buffer.byteLength(slice)
    const ok = out.write(slice)
    slice = ''
    if (!ok) await Promise.race([once(out, 'drain'), failed])
  }
  for (const line of planeRows(options)) {
    slice += line
    if (slice.length >= 256 * 1024) await flush()
  }
  await flush()
  out.end()
  await Promise.race([once(out, 'close'), failed])
  await rename(partial, file)
  return bytes
}
