import { randomBytes } from 'node:crypto'
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

interface Abort {
  at: number
  kind: string
  message: string
}

/**
 * A pod whose handler holds its job until the job's signal aborts, then records why. Resolves
 * once the handler is running.
 */
async function startHoldingPod(
  database: Database,
  config: ReturnType<typeof engineConfig>,
  pod: string,
) {
  const working = gate()
  let aborted: Abort | undefined
  const handler: JobHandler = async (ctx) => {
    working.open()
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener('abort', () => {
        const reason = ctx.signal.reason as { kind: string; message: string }
        aborted = { at: Date.now(), kind: reason.kind, message: reason.message }
        resolve()
      }),
    )
    throw ctx.signal.reason
  }
  const worker = new Worker({ database, config, log, handlers: { aggregation: handler }, pod })
  await worker.start()
  await working.promise
  return { worker, aborted: () => aborted }
}

// PostgreSQL only: a TCP proxy and a revoked role make the beats fail; PGlite has neither.
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

  it('a pod cut off from the database stops before the stale window, and the job is reclaimed after it', async () => {
    const config = engineConfig({ HEARTBEAT_INTERVAL_MS: '200', STALE_AFTER_MS: '3000' })
    const podDb: Database = await openPostgres({ url: proxy.urlFor(t.url!), poolMax: 4 })
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, 2044))
    const { worker: pod, aborted } = await startHoldingPod(podDb, config, 'cut-off:1:x')
    const cutAt = Date.now()
    proxy.cut()
    await waitFor(async () => aborted(), 10_000, 'the handler to be aborted')
    // The connections are reset and new ones refused: the driver keeps trying to connect, so
    // the beat hangs instead of failing, and the silence rule (80% of the 3 s window) aborts.
    expect(aborted()!.kind).toBe('unreachable')
    expect(aborted()!.message).toMatch(new RegExp(`^no heartbeat of job ${jobId} answered for`))
    expect(aborted()!.at - cutAt).toBeLessThan(3000)
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
  it('three heartbeats that fail with a database error abort the handler at once', async () => {
    // The pod signs in as a role of its own; taking its right to update jobs makes every beat
    // fail at once with "permission denied", a database error, while the network is fine.
    const role = `cs_pod_${randomBytes(4).toString('hex')}`
    await t.database.db.execute(sql.raw(`CREATE ROLE ${role} LOGIN`))
    await t.database.db.execute(
      sql.raw(`GRANT ALL ON ALL TABLES IN SCHEMA public, drizzle TO ${role};
               GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role};
               GRANT USAGE ON SCHEMA drizzle TO ${role}`),
    )
    const url = new URL(t.url!)
    url.username = role
    const podDb = await openPostgres({ url: url.toString(), poolMax: 4 })
    // The pod claims the oldest queued job: the one the first test left queued must not be it.
    await t.database.db.execute(
      sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state <> 'FINISHED'`,
    )
    try {
      const config = engineConfig({ HEARTBEAT_INTERVAL_MS: '200', STALE_AFTER_MS: '3000' })
      const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, 2045))
      const { worker: pod, aborted } = await startHoldingPod(podDb, config, 'no-rights:1:x')
      const revokedAt = Date.now()
      await t.database.db.execute(sql.raw(`REVOKE UPDATE ON jobs FROM ${role}`))
      await waitFor(async () => aborted(), 5_000, 'the handler to be aborted')
      expect(aborted()).toMatchObject({
        kind: 'unreachable',
        message: `3 heartbeats of job ${jobId} failed`,
      })
      // Three beats 200 ms apart: well before the silence rule (2.4 s) or the window (3 s).
      expect(aborted()!.at - revokedAt).toBeLessThan(1500)
      expect((await job(t.database.db, jobId)).state).toBe('RUNNING')
      await pod.stop(0)
    } finally {
      await podDb.close()
      await t.database.db.execute(sql.raw(`DROP OWNED BY ${role}; DROP ROLE ${role}`))
    }
  })
})
