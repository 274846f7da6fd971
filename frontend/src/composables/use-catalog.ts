import { useQuery } from '@tanstack/vue-query'
import { computed } from 'vue'
import { fetchCatalog, fetchUnits, fetchYears } from '../api/catalog'

/** The catalog is data shipped with the server: it does not change while the page is open. */
export function useCatalog() {
  const query = useQuery({
    queryKey: ['catalog'],
    queryFn: fetchCatalog,
    staleTime: Infinity,
  })
  const modules = computed(() => query.data.value?.modules ?? [])
  const dataEntryTypes = computed(() => query.data.value?.dataEntryTypes ?? [])
  const typesOfModule = (moduleTypeId: number) =>
    dataEntryTypes.value.filter((t) => t.moduleTypeId === moduleTypeId)
  const typeById = (id: number) => dataEntryTypes.value.find((t) => t.id === id)
  return { query, modules, dataEntryTypes, typesOfModule, typeById }
}

export function useUnits() {
  const query = useQuery({ queryKey: ['units'], queryFn: fetchUnits, staleTime: 5 * 60_000 })
  const units = computed(() => query.data.value ?? [])
  const unitName = (institutionalId: string) =>
    units.value.find((u) => u.institutionalId === institutionalId)?.name ?? institutionalId
  return { query, units, unitName }
}

export function useYears() {
  const query = useQuery({ queryKey: ['years'], queryFn: fetchYears, staleTime: 60_000 })
  const years = computed(() => query.data.value?.years ?? [])
  /** The year `/` opens (the latest with statistics), once known. */
  const defaultYear = computed(() => query.data.value?.defaultYear ?? null)
  return { query, years, defaultYear }
}
