import { useQuery, useQueryClient } from '@tanstack/vue-query'
import { computed, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { fetchActivePipelines } from '../api/sync'
import { usePipelineState } from '../stores/pipeline-state'

/** Query keys whose answers change when a pipeline ends. */
export const keysChangedByAnEnd = [
  ['active-pipelines'],
  ['year-modules'],
  ['pipelines'],
  ['report'],
  ['stale-stats'],
] as const

/**
 * Hydrates the pipelineState store with the active and last pipeline of each module for a
 * year, in one request (SPEC §6 active-pipelines). Refetched whenever the window regains focus
 * (a tab shown again, or a window focused: another tab or person may have started something),
 * however fresh the last answer, and whenever a pipeline ends.
 */
export function useActivePipelines(
  year: MaybeRefOrGetter<number | null>,
  moduleIds: MaybeRefOrGetter<readonly number[]>,
) {
  const store = usePipelineState()
  const query = useQuery({
    queryKey: [
      'active-pipelines',
      computed(() => toValue(year)),
      computed(() => toValue(moduleIds)),
    ],
    queryFn: () => fetchActivePipelines(toValue(year)!, toValue(moduleIds)),
    enabled: computed(() => toValue(year) !== null && toValue(moduleIds).length > 0),
    // One small request; a pipeline started elsewhere seconds ago is worth it.
    refetchOnWindowFocus: 'always',
  })
  watch(
    () => query.data.value,
    (answer) => {
      const y = toValue(year)
      if (answer && y !== null) store.hydrate(y, answer.modules)
    },
    { immediate: true },
  )
  return query
}

/**
 * Installed once (in the layout): when any pipeline ends, whatever depends on finished work
 * (statuses, lists, reports, the active-pipelines hydration itself) is refetched.
 */
export function useRefetchWhenPipelinesEnd(): void {
  const store = usePipelineState()
  const client = useQueryClient()
  watch(
    () => store.endedCount,
    () => {
      for (const queryKey of keysChangedByAnEnd) void client.invalidateQueries({ queryKey })
    },
  )
}
