import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../src/config.ts'
import { openPostgres, runMigrations } from '../../src/db/client.ts'
import { createLogger } from '../../src/log.ts'
import { startProcess, type Running } from '../../src/server.ts'
import { createPostgresDatabase, testEngine } from '../helpers/database.ts'
import { waitFor } from '../helpers/engine.ts'
import { ApiClient } from '../helpers/server.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'

/**
 * The database goes away under a running process (SPEC §6, §11): /readyz says so, the API
 * answers 503 in the JSON error shape, and both recover when it comes back, without a restart.
 * The process reaches PostgreSQL through a TCP proxy the test cuts; PGlite has no connection
 * to lose.
 */
let proxy: TcpProxy
let running: Running
let drop: () => Promise<void>
let url: string

// PostgreSQL only: a TCP proxy cuts the server off; PGlite has no connection to cut.
describe.skipIf(testEngine === 'pglite')('a database outage', () => {
  beforeAll(async () => {
    const created = await createPostgresDatabase()
    drop = created.drop
    proxy = await startTcpProxy()
    const database = await openPostgres({ url: proxy.urlFor(created.url), poolMax: 4 })
    await runMigrations(database, created.url)
    const config = testConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      POLL_INTERVAL_MS: '200',
      SSE_POLL_INTERVAL_MS: '200',
    })
    running = await startProcess(config, 'api', createLogger('silent'), {
      database,
      staticDir: '/nonexistent',
    })
    url = running.url!.replace('localhost', '127.0.0.1')
  })
  afterAll(async () => {
    proxy.restore()
    await running?.stop()
    await proxy?.close()
    await drop?.()
  })

  it('makes /readyz and the API answer 503, and both recover on their own', async () => {
    const client = new ApiClient(url)
    expect(
      (
        await client.post('/api/v1/auth/login', {
          email: 'manager@demo-a.test',
          password: 'carbon-sync-demo',
        })
      ).status,
    ).toBe(200)
    expect((await fetch(`${url}/readyz`)).status).toBe(200)

    proxy.cut()
    await waitFor(
      async () => (await fetch(`${url}/readyz`)).status === 503,
      10_000,
      '/readyz to fail',
    )
    const ready = (await (await fetch(`${url}/readyz`)).json()) as {
      error: { code: string; message: string }
    }
    expect(ready).toMatchObject({
      error: {
        code: 'service_unavailable',
        message: expect.stringContaining('database unreachable'),
      },
    })
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const during = await client.json<{ error: { code: string } }>('GET', '/api/v1/reports/2025')
    expect(during).toMatchObject({ status: 503, body: { error: { code: 'service_unavailable' } } })

    proxy.restore()
    await waitFor(
      async () => (await fetch(`${url}/readyz`)).status === 200,
      20_000,
      '/readyz to recover',
    )
    await waitFor(
      async () => (await client.get('/api/v1/reports/2025')).status === 200,
      20_000,
      'the API to recover',
    )
  })
})
