import { focusManager, QueryClient } from '@tanstack/vue-query'
import { isApiError } from '../api/http'

/**
 * What "the window regains focus" means for `refetchOnWindowFocus`. vue-query listens to
 * `visibilitychange` only: a tab shown again. Going from one visible window to another (two
 * windows side by side, another person's pipeline started in the other) fires `focus` only.
 * Both count here.
 */
export function refetchOnWindowFocusAndVisibility(): void {
  focusManager.setEventListener((handleFocus) => {
    if (typeof window === 'undefined') return undefined
    const onFocus = () => handleFocus()
    window.addEventListener('visibilitychange', onFocus, false)
    window.addEventListener('focus', onFocus, false)
    return () => {
      window.removeEventListener('visibilitychange', onFocus)
      window.removeEventListener('focus', onFocus)
    }
  })
}

/** Retries only what may succeed on a second try: never a 4xx answer. */
export function createQueryClient(): QueryClient {
  refetchOnWindowFocusAndVisibility()
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) =>
          !(isApiError(error) && error.status >= 400 && error.status < 500) && failures < 2,
      },
    },
  })
}
