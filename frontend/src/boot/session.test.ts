import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configureHttp, http as api } from '../api/http'
import { installGuards } from '../router/guards'
import { useSession } from '../stores/session'
import { eventually, testContext, testRouter } from '../testing/mount-app'
import { demoManager } from '../testing/session'
import { installSession } from './session'

/** An expired session sends the user to sign-in, remembering the page to come back to. */

let signedIn = true
let server: http.Server

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json')
    if (!signedIn) {
      res.statusCode = 401
      res.end(
        '{"error":{"code":"unauthorized","message":"Your session has expired; sign in again"}}',
      )
      return
    }
    if (req.url === '/api/v1/auth/me') {
      res.end(JSON.stringify(demoManager()))
      return
    }
    res.end('{"years":[2025]}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(origin)
  configureHttp({ baseUrl: origin })
})

afterAll(async () => {
  configureHttp({ baseUrl: '', onUnauthorized: undefined })
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('session expiry', () => {
  it('goes to /sign-in?next=<page> on a 401, and guards by permission', async () => {
    const { pinia, queryClient } = testContext()
    const router = testRouter()
    router.getRoutes().find((r) => r.name === 'sign-in')!.meta.public = true
    router.getRoutes().find((r) => r.name === 'operations')!.meta.permission =
      'data_management.admin'
    router.addRoute({ path: '/forbidden', name: 'forbidden', component: { render: () => null } })
    installGuards(router)
    installSession(router, pinia, queryClient)

    await router.push('/operations')
    expect(router.currentRoute.value.name).toBe('forbidden')
    await router.push('/data/2025')
    expect(router.currentRoute.value.fullPath).toBe('/data/2025')
    expect(useSession(pinia).me?.role).toBe('data_manager')

    signedIn = false
    await expect(api.get('/years')).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
    await eventually(() => expect(router.currentRoute.value.name).toBe('sign-in'))
    expect(router.currentRoute.value.query).toEqual({ next: '/data/2025', expired: '1' })
    expect(useSession(pinia).me).toBeNull()
  })
})
