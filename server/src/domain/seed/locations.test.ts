import { describe, expect, it } from 'vitest'
import {
  loadAirports,
  loadTrainStations,
  selectAirports,
  selectTrainStations,
  type AirportLocation,
  type TrainStationLocation,
} from './locations.js'

function isValidPosition({ latitude, longitude }: { latitude: number; longitude: number }) {
  return (
    Number.isFinite(latitude) &&
    Number.isFinite(longitude) &&
    latitude >= -90 &&
    latitude <= 90 &&
    longitude >= -180 &&
    longitude <= 180
  )
}

function airport(iataCode: string): AirportLocation {
  const found = loadAirports().find((a) => a.iataCode === iataCode)
  if (!found) throw new Error(`airport ${iataCode} missing`)
  return found
}

function station(countryCode: string, name: RegExp): TrainStationLocation {
  const found = loadTrainStations().find((s) => s.countryCode === countryCode && name.test(s.name))
  if (!found) throw new Error(`station ${String(name)} (${countryCode}) missing`)
  return found
}

describe('loadAirports', () => {
  it('loads at least 200 airports quickly and caches them', () => {
    const started = performance.now()
    const airports = loadAirports()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(airports.length).toBeGreaterThanOrEqual(200)
    expect(loadAirports()).toBe(airports)
  })

  it('has valid, unique IATA codes and coordinates', () => {
    const airports = loadAirports()
    const codes = airports.map((a) => a.iataCode)
    expect(new Set(codes).size).toBe(codes.length)
    const invalid = airports.filter(
      (a) =>
        !/^[A-Z]{3}$/.test(a.iataCode) ||
        !/^[A-Z]{2}$/.test(a.countryCode) ||
        a.name === '' ||
        !isValidPosition(a),
    )
    expect(invalid).toEqual([])
  })

  it.each([
    ['ZRH', 'CH', 47.46, 8.55],
    ['GVA', 'CH', 46.24, 6.11],
    // EuroAirport Basel-Mulhouse-Freiburg lies on French soil.
    ['BSL', 'FR', 47.59, 7.53],
    ['CDG', 'FR', 49.01, 2.55],
    ['LHR', 'GB', 51.47, -0.46],
    ['JFK', 'US', 40.64, -73.78],
  ])('has %s in %s at about %f, %f', (code, countryCode, latitude, longitude) => {
    const a = airport(code)
    expect(a.countryCode).toBe(countryCode)
    expect(Math.abs(a.latitude - latitude)).toBeLessThan(0.05)
    expect(Math.abs(a.longitude - longitude)).toBeLessThan(0.05)
  })

  it('keeps the municipality', () => {
    expect(airport('ZRH').municipality).toBe('Zurich')
  })
})

describe('selectAirports', () => {
  const row = {
    type: 'large_airport',
    name: 'Test Airport',
    latitude_deg: '1.5',
    longitude_deg: '2.5',
    iso_country: 'CH',
    municipality: '',
    scheduled_service: 'yes',
    iata_code: 'TST',
  }

  it('filters unscheduled, invalid and coordinate-less rows and dedupes by IATA code', () => {
    const result = selectAirports([
      { ...row, type: 'medium_airport', name: 'Medium' },
      row,
      { ...row, iata_code: 'AAA', scheduled_service: 'no' },
      { ...row, iata_code: 'AB1' },
      { ...row, iata_code: 'BBB', latitude_deg: '' },
      { ...row, iata_code: 'CCC', longitude_deg: '181' },
      { ...row, iata_code: 'DDD', type: 'heliport' },
    ])
    expect(result).toEqual([
      {
        iataCode: 'TST',
        name: 'Test Airport',
        latitude: 1.5,
        longitude: 2.5,
        countryCode: 'CH',
        municipality: null,
      },
    ])
  })
})

describe('loadTrainStations', () => {
  it('loads at least 100 stations quickly and caches them', () => {
    const started = performance.now()
    const stations = loadTrainStations()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(stations.length).toBeGreaterThanOrEqual(100)
    expect(loadTrainStations()).toBe(stations)
  })

  it('has no duplicates and valid coordinates', () => {
    const stations = loadTrainStations()
    const keys = stations.map((s) => `${s.countryCode}|${s.name.toLowerCase()}`)
    expect(new Set(keys).size).toBe(keys.length)
    const invalid = stations.filter(
      (s) => s.name === '' || !/^[A-Z]{2}$/.test(s.countryCode) || !isValidPosition(s),
    )
    expect(invalid).toEqual([])
  })

  it.each([
    [/^Zürich HB$/, 47.378, 8.54],
    [/^Genève( Cornavin)?$/, 46.21, 6.14],
    [/^Bern( Hbf)?$/, 46.949, 7.439],
    [/^Basel SBB$/, 47.547, 7.589],
    [/^Lausanne$/, 46.517, 6.629],
  ])('has the Swiss station %s', (name, latitude, longitude) => {
    const s = station('CH', name)
    expect(Math.abs(s.latitude - latitude)).toBeLessThan(0.01)
    expect(Math.abs(s.longitude - longitude)).toBeLessThan(0.01)
  })

  it('has stations in Paris and Germany and the other demo countries', () => {
    expect(station('FR', /^Paris/).municipality).toBe('Paris')
    station('DE', /^(Berlin|München|Frankfurt|Hamburg|Köln)/)
    const countries = new Set(loadTrainStations().map((s) => s.countryCode))
    for (const c of ['CH', 'FR', 'DE', 'IT', 'AT', 'NL', 'BE', 'GB']) expect(countries).toContain(c)
    expect(station('CH', /^Zürich HB$/).municipality).toBe('Zürich')
  })
})

describe('selectTrainStations', () => {
  const rows = [
    { id: '1', name: 'Zürich', latitude: '47.37', longitude: '8.54', country: 'CH', is_city: true },
    {
      id: '2',
      name: 'Zürich HB',
      latitude: '47.378',
      longitude: '8.539',
      country: 'CH',
      parent_station_id: '1',
      is_city: false,
      is_main_station: true,
    },
    // same name, different case: a duplicate
    {
      id: '3',
      name: 'zürich hb',
      latitude: '1',
      longitude: '1',
      country: 'CH',
      is_main_station: true,
    },
    // Lausanne is always included, even if not flagged as a main station
    {
      id: '4',
      name: 'Lausanne',
      latitude: '46.5',
      longitude: '6.6',
      country: 'CH',
      is_main_station: false,
    },
    // no coordinates
    { id: '5', name: 'Nowhere', country: 'FR', is_main_station: true },
    // country not in the demo subset
    {
      id: '6',
      name: 'Praha hl.n.',
      latitude: '50',
      longitude: '14',
      country: 'CZ',
      is_main_station: true,
    },
    // not a main station
    {
      id: '7',
      name: 'Zürich Enge',
      latitude: '47.36',
      longitude: '8.53',
      country: 'CH',
      is_main_station: false,
    },
  ]
  const expected = [
    { name: 'Lausanne', countryCode: 'CH', latitude: 46.5, longitude: 6.6, municipality: null },
    {
      name: 'Zürich HB',
      countryCode: 'CH',
      latitude: 47.378,
      longitude: 8.539,
      municipality: 'Zürich',
    },
  ]

  it('reads the pretty-printed static.js layout without parsing it all', () => {
    const source = Buffer.from(`export default ${JSON.stringify(rows, null, 2)}\n`)
    expect(selectTrainStations(source)).toEqual(expected)
  })

  it('falls back to a full parse for any other layout', () => {
    const source = Buffer.from(`export default ${JSON.stringify(rows)};\n`)
    expect(selectTrainStations(source)).toEqual(expected)
  })
})
