import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { firstRow } from '../../src/db/client.ts'
import type { JobHandler } from '../../src/domain/pipeline/job-context.ts'
import { createLogger } from '../../src/log.ts'
import { createPipeline } from '../../src/domain/pipeline/enqueue.ts'
import { Worker } from '../../src/worker/runner.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import {
  aggregationRequest,
  engineConfig,
  gate,
  job,
  startPipeline,
  waitFor,
} from '../helpers/engine.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'

/**
 * The worker loop's timing promises (SPEC §5.2, §5.4): an idle worker wakes on NOTIFY rather
 * than waiting for its poll, its poll claims what no notification announced, and a running
 * job's progress is written at most once per PROGRESS_INTERVAL_MS, the latest value winning.
 */
const log = createLogger('silent')
let t: TestDatabase
let tenant: Tenant
const progressWrites: string[] = []

beforeAll(async () => {
  t = await openTestDatabase({
    onQuery: (q) => {
      if (q.includes("jsonb_set(meta, '{progress}'")) progressWrites.push(q)
    },
  })
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// A worker claims the oldest queued job: one left queued by an earlier test must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state <> 'FINISHED'`,
  )
})

describe('an idle worker', () => {
  it('wakes on the notification of a new job, not at its next poll', async () => {
    const started = gate()
    let startedAt = 0
    const handler: JobHandler = async (ctx) => {
      startedAt = Date.now()
      started.open()
      await ctx.finish(async () => ({ result: 'SUCCESS', message: null }))
    }
    // A poll once a minute: only the notification can start the job within the test.
    const worker = new Worker({
      database: t.database,
      config: engineConfig({ POLL_INTERVAL_MS: '60000' }),
      log,
      handlers: { aggregation: handler },
    })
    await worker.start()
    // Let the slots run their first (empty) claim and fall asleep.
    await new Promise((r) => setTimeout(r, 300))
    const enqueuedAt = Date.now()
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, 2101))
    await started.promise
    await waitFor(async () => (await job(t.database.db, jobId)).state === 'FINISHED')
    await worker.stop()
    expect(startedAt - enqueuedAt).toBeLessThan(5_000)
  })
})

describe('an idle worker without a notification', () => {
  it('claims a job at its next poll when nothing notifies it', async () => {
    // A job queued to run a second from now (as a retry's back-off is): its notification
    // comes at the insert, when it cannot run yet; when it can, nothing notifies anyone.
    const started = gate()
    let startedAt = 0
    const handler: JobHandler = async (ctx) => {
      startedAt = Date.now()
      started.open()
      await ctx.finish({ result: 'SUCCESS', message: null })
    }
    const pollMs = 400
    const worker = new Worker({
      database: t.database,
      config: engineConfig({ POLL_INTERVAL_MS: String(pollMs) }),
      log,
      handlers: { aggregation: handler },
    })
    await worker.start()
    await new Promise((r) => setTimeout(r, 300))
    const { jobId, runAfter } = await t.database.db.transaction(async (tx) => {
      const { jobId } = await createPipeline(
        tx,
        {
          institutionId: tenant.institutionId,
          kind: 'recalculation',
          moduleTypeId: 2,
          dataEntryTypeId: null,
          year: 2102,
          createdBy: null,
        },
        aggregationRequest(2, 2102),
      )
      const row = await firstRow<{ ms: number }>(
        tx,
        sql`UPDATE jobs SET run_after = now() + interval '1 second' WHERE id = ${jobId}
            RETURNING (extract(epoch FROM run_after) * 1000)::float8 AS ms`,
      )
      return { jobId, runAfter: row!.ms }
    })
    await started.promise
    await waitFor(async () => (await job(t.database.db, jobId)).state === 'FINISHED')
    await worker.stop()
    expect(startedAt).toBeGreaterThanOrEqual(runAfter)
    // The poll, not a notification: within one poll interval (plus a claim) of becoming runnable.
    expect(startedAt - runAfter).toBeLessThan(pollMs + 1_000)
  })
})

describe('progress', () => {
  it('is written at most once per interval, and the latest value is the one written', async () => {
    const intervalMs = 250
    const reportFor = 1_300
    const done = gate()
    let reported = 0
    const handler: JobHandler = async (ctx) => {
      const until = Date.now() + reportFor
      while (Date.now() < until) {
        ctx.progress(++reported, 1_000_000)
        await new Promise((r) => setTimeout(r, 2))
      }
      // The last value reported must reach the database before the job ends.
      await new Promise((r) => setTimeout(r, intervalMs * 2))
      done.open()
      await ctx.finish(async () => ({ result: 'SUCCESS', message: null }))
    }
    progressWrites.length = 0
    const worker = new Worker({
      database: t.database,
      config: engineConfig({ PROGRESS_INTERVAL_MS: String(intervalMs) }),
      log,
      handlers: { aggregation: handler },
    })
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(3, 2101))
    await worker.start()
    await done.promise
    const written = await firstRow<{ processed: number }>(
      t.database.db,
      sql`SELECT (meta -> 'progress' ->> 'processed')::int AS processed FROM jobs WHERE id = ${jobId}`,
    )
    await waitFor(async () => (await job(t.database.db, jobId)).state === 'FINISHED')
    await worker.stop()
    // Hundreds of reports, a handful of writes: one per 250 ms at most, plus the first.
    expect(reported).toBeGreaterThan(100)
    expect(progressWrites.length).toBeGreaterThanOrEqual(1)
    expect(progressWrites.length).toBeLessThanOrEqual(
      Math.ceil((reportFor + intervalMs * 2) / intervalMs) + 1,
    )
    expect(written!.processed).toBe(reported)
  })
})
