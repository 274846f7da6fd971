import type { z } from 'zod'
import type { reportSchema, unitsSchema, yearModulesSchema, yearsSchema } from '@carbon-sync/shared'
import { apiUrl, http } from './http'

/** A column of a CSV format, as `GET /api/v1/catalog` describes it. */
export interface CatalogColumn {
  name: string
  required: boolean
  type: string
  values?: string[]
  min?: number
  max?: number
  description: string
}

export interface CatalogModule {
  id: number
  key: string
  label: string
}

export interface CatalogDataEntryType {
  id: number
  key: string
  label: string
  moduleTypeId: number
  /** Uploads of this type are accepted (first wave of SPEC §3). */
  supported: boolean
  columns: CatalogColumn[]
  factorColumns: CatalogColumn[]
  /** The reference data (locations, currency rates) the type uses, if any. */
  reference: { format: string; columns: CatalogColumn[] } | null
}

export interface Catalog {
  modules: CatalogModule[]
  dataEntryTypes: CatalogDataEntryType[]
}

export type YearModules = z.infer<typeof yearModulesSchema>
export type YearModule = YearModules['modules'][number]
export type Report = z.infer<typeof reportSchema>
export type ReportModule = Report['modules'][number]
export type Unit = z.infer<typeof unitsSchema>[number]

export const fetchCatalog = () => http.get<Catalog>('/catalog')
export const fetchUnits = () => http.get<Unit[]>('/units')
export type Years = z.infer<typeof yearsSchema>
/** The years with data or activity, and the one to open by default. */
export const fetchYears = () => http.get<Years>('/years')
/** The year to open by default: the latest with statistics. */
export const fetchDefaultYear = () => fetchYears().then((r) => r.defaultYear)
export const fetchYearModules = (year: number) => http.get<YearModules>(`/years/${year}/modules`)
export const fetchReport = (year: number) => http.get<Report>(`/reports/${year}`)

/** Where the CSV template of a data-entry type downloads from. */
export const templateUrl = (key: string) =>
  apiUrl(`/catalog/templates/${encodeURIComponent(key)}.csv`)
