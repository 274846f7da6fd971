import type { Router } from 'vue-router'
import { useSession } from '../stores/session'

/**
 * Who may see what (SPEC §2): signed out goes to sign-in with the page to return to; a page
 * the role does not allow shows the access-denied page. The server checks every request
 * anyway; these guards only spare people pages full of 403s.
 */
export function installGuards(router: Router): void {
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    const session = useSession()
    let me
    try {
      me = await session.ensureLoaded()
    } catch {
      me = null // server unreachable: sign-in will say so when it is tried
    }
    if (!me) return { name: 'sign-in', query: { next: to.fullPath } }
    const needed = to.meta.permission
    if (needed && !session.can(needed)) {
      return { name: 'forbidden', query: { from: to.fullPath } }
    }
    return true
  })

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Carbon Sync` : 'Carbon Sync'
  })
}

/** Where to go after sign-in: only a path of this site (no `//host` open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/'
}
