import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { openPostgres, rows, type Database } from '../../src/db/client.ts'
import type { JobHandler } from '../../src/domain/pipeline/job-context.ts'
import { createLogger } from '../../src/log.ts'
import { Reaper } from '../../src/worker/reaper.ts'
import { Worker } from '../../src/worker/runner.ts'
import { openTestDatabase, testEngine, type TestDatabase } from '../helpers/database.ts'
import {
  aggregationRequest,
  engineConfig,
  gate,
  job,
  startPipeline,
  waitFor,
} from '../helpers/engine.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'

/**
 * A pod that cannot reach the database stops its handler after 3 failed heartbeats, before
 * the stale window ends and another pod may reclaim the job (SPEC §5.2). The pod's
 * connections go through a TCP proxy that the test cuts. PGlite runs inside the process:
 * there is no connection to lose, so this suite runs on PostgreSQL only.
 */
const log = createLogger('silent')
let t: TestDatabase
let tenant: Tenant
let proxy: TcpProxy

describe.skipIf(testEngine === 'pglite')('heartbeat failures', () => {
  beforeAll(async () => {
    t = await openTestDatabase()
    tenant = await createTenant(t.database.db)
    proxy = await startTcpProxy()
  })
  afterAll(async () => {
    await proxy?.close()
    await t?.close()
  })

  it('abort the handler before the stale window, and the job is reclaimed after it', async () => {
    const config = engineConfig({ HEARTBEAT_INTERVAL_MS: '200', STALE_AFTER_MS: '3000' })
    const podDb: Database = await openPostgres({ url: proxy.urlFor(t.url!), poolMax: 4 })
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, 2044))
    const working = gate()
    let abortedAt = 0
    let abortKind: string | undefined
    const handler: JobHandler = async (ctx) => {
      working.open()
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          abortedAt = Date.now()
          abortKind = (ctx.signal.reason as { kind: string }).kind
          resolve()
        })
      })
      throw ctx.signal.reason
    }
    const pod = new Worker({
      database: podDb,
      config,
      log,
      handlers: { aggregation: handler },
      pod: 'cut-off:1:x',
    })
    await pod.start()
    await working.promise
    const cutAt = Date.now()
    proxy.cut()
    await waitFor(async () => abortedAt > 0, 10_000, 'the handler to be aborted')
    expect(abortKind).toBe('unreachable')
    // Three beats of 200 ms, each given at most 200 ms to answer: well inside the 3 s window.
    expect(abortedAt - cutAt).toBeLessThan(3000)
    const stillRunning = await job(t.database.db, jobId)
    expect(stillRunning.state).toBe('RUNNING')
    // The pod gave the job up; stop it before the network comes back, so that it cannot claim again.
    const podStopped = pod.stop(0)
    proxy.restore()
    await podStopped

    // Nobody may reclaim it before the window has passed; then a sweep does (ours, or the
    // pod's own reaper, which may finish a sweep it began during the cut).
    const reaper = new Reaper(t.database, config, log, 'reaper:2:y')
    await waitFor(
      async () => {
        await reaper.sweep()
        return (await job(t.database.db, jobId)).state === 'QUEUED'
      },
      10_000,
      'the reclaim',
    )
    const [reclaimed] = await rows<{ at: string }>(
      t.database.db,
      sql`SELECT at FROM job_events WHERE job_id = ${jobId} AND message LIKE 'reclaimed%'`,
    )
    expect(
      new Date(reclaimed!.at.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).getTime() - cutAt,
    ).toBeGreaterThan(3000 - 250)

    await podDb.close()
  })
})
