/**
 * The demo dataset (SPEC §9): two institutions with units and users, factors and currency
 * rates per year, reference locations, and a year of activity data per institution.
 *
 * Pure and deterministic: no database, no clock, no Math.random. Every table is a list of
 * cells exactly as a user would upload it (columns named as the catalog names them).
 * Generators live in demo-factors.ts and demo-entries.ts.
 */
import { referenceColumns } from '@carbon-sync/shared'
import { generateEntries } from './demo-entries.ts'
import { toTable } from './demo-factors.ts'
import { loadAirports, loadTrainStations } from './locations.ts'

export { demoCurrencyRates, demoFactors } from './demo-factors.ts'

export interface DemoUser {
  email: string
  displayName: string
  role: 'viewer' | 'data_manager' | 'admin'
}

export interface DemoInstitution {
  key: 'a' | 'b'
  name: string
  units: { institutionalId: string; name: string }[]
  users: DemoUser[]
}

/** A CSV-like table: header cells and rows of cells (strings), exactly as a user would upload. */
export interface DemoTable {
  columns: string[]
  rows: string[][]
}

export const demoInstitutions: readonly DemoInstitution[] = [
  {
    key: 'a',
    name: 'Demo University A',
    units: [
      { institutionalId: 'LAB-CLIMATE', name: 'Climate Dynamics Laboratory' },
      { institutionalId: 'LAB-ENERGY', name: 'Energy Systems Laboratory' },
      { institutionalId: 'LAB-BIOCHEM', name: 'Biochemistry Laboratory' },
      { institutionalId: 'LAB-MATERIALS', name: 'Materials Science Laboratory' },
      { institutionalId: 'DEPT-ADMIN', name: 'Department Administration' },
    ],
    users: [
      { email: 'admin@demo-a.test', displayName: 'Alice Admin (Demo A)', role: 'admin' },
      { email: 'manager@demo-a.test', displayName: 'Marc Manager (Demo A)', role: 'data_manager' },
      { email: 'viewer@demo-a.test', displayName: 'Vera Viewer (Demo A)', role: 'viewer' },
    ],
  },
  {
    key: 'b',
    name: 'Demo University B',
    units: [
      { institutionalId: 'LAB-OCEAN', name: 'Oceanography Laboratory' },
      { institutionalId: 'LAB-ROBOTICS', name: 'Robotics Laboratory' },
      { institutionalId: 'LAB-GENOMICS', name: 'Genomics Laboratory' },
      { institutionalId: 'DEPT-PHYSICS', name: 'Department of Physics' },
    ],
    users: [
      { email: 'admin@demo-b.test', displayName: 'Bruno Admin (Demo B)', role: 'admin' },
      { email: 'manager@demo-b.test', displayName: 'Bea Manager (Demo B)', role: 'data_manager' },
    ],
  },
]

export function demoInstitution(key: 'a' | 'b'): DemoInstitution {
  const found = demoInstitutions.find((i) => i.key === key)
  if (!found) throw new Error(`no demo institution ${key}`)
  return found
}

/** Locations reference tables: every airport and every station of locations.ts. */
export function demoLocations(): { airports: DemoTable; stations: DemoTable } {
  const names = referenceColumns('locations').map((c) => c.name)
  const airports = toTable(
    names,
    loadAirports().map((a) => ({
      transport_mode: 'plane',
      name: a.name,
      latitude: String(a.latitude),
      longitude: String(a.longitude),
      iata_code: a.iataCode,
      country_code: a.countryCode,
      municipality: a.municipality ?? '',
    })),
  )
  const stations = toTable(
    names,
    loadTrainStations().map((s) => ({
      transport_mode: 'train',
      name: s.name,
      latitude: String(s.latitude),
      longitude: String(s.longitude),
      country_code: s.countryCode,
      municipality: s.municipality ?? '',
    })),
  )
  return { airports, stations }
}

/**
 * One year of activity data for an institution, per data-entry type. Columns are
 * `dataUploadColumns(format, true)`, so each row names one of the institution's units.
 */
export function demoEntries(
  institutionKey: 'a' | 'b',
  year: number,
): { dataEntryTypeId: number; table: DemoTable }[] {
  return generateEntries(demoInstitution(institutionKey), year)
}
