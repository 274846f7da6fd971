import type { QueryClient } from '@tanstack/vue-query'
import type { Pinia } from 'pinia'
import type { RouteLocationNormalized, Router } from 'vue-router'
import { configureHttp } from '../api/http'
import { closeAllStreams } from '../composables/use-pipeline-stream'
import { usePipelineState } from '../stores/pipeline-state'
import { useSession } from '../stores/session'

/**
 * What happens when the session ends, by sign-out or because the server answered 401: the
 * previous user's data goes (queries, pipeline state, streams) and, on expiry, the user is
 * sent to sign-in with the page to come back to (`/sign-in?next=/data/2025`).
 */
export function installSession(router: Router, pinia: Pinia, queryClient: QueryClient): void {
  const session = useSession(pinia)
  const forgetData = () => {
    closeAllStreams()
    usePipelineState(pinia).reset()
    queryClient.clear()
  }
  // The page being navigated to, if a navigation is under way: a 401 answered while leaving a
  // page must bring the user back to where they were going, not to where they were.
  let goingTo: RouteLocationNormalized | null = null
  router.beforeEach((to) => {
    goingTo = to
  })
  router.afterEach(() => {
    goingTo = null
  })

  configureHttp({
    onUnauthorized: () => {
      const wasSignedIn = session.me !== null
      session.forget()
      const target = goingTo ?? router.currentRoute.value
      if (target.meta.public) return
      if (wasSignedIn) forgetData()
      void router.replace({
        name: 'sign-in',
        query: { next: target.fullPath, expired: wasSignedIn ? '1' : undefined },
      })
    },
  })
  session.$onAction(({ name, after, onError }) => {
    if (name !== 'signOut') return
    after(forgetData)
    onError(forgetData)
  })
}
