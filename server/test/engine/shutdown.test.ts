import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobHandler } from '../../src/domain/pipeline/job-context.ts'
import { createLogger } from '../../src/log.ts'
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

/** Graceful stop (SPEC §5.2): stop claiming, let running jobs finish within the grace, then release them. */
const log = createLogger('silent')
let t: TestDatabase
let tenant: Tenant

beforeAll(async () => {
  t = await openTestDatabase()
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())

describe('stop', () => {
  it('lets a job that ends within the grace period finish', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, 2080))
    const working = gate()
    const handler: JobHandler = async (ctx) => {
      working.open()
      await new Promise((r) => setTimeout(r, 200))
      await ctx.finish(async () => ({ result: 'SUCCESS', message: null }))
    }
    const worker = new Worker({
      database: t.database,
      config: engineConfig(),
      log,
      handlers: { aggregation: handler },
    })
    await worker.start()
    await working.promise
    await worker.stop(5000)
    const j = await job(t.database.db, jobId)
    expect([j.state, j.result]).toEqual(['FINISHED', 'SUCCESS'])
  })

  it('releases a job still running when the grace runs out, with its attempt given back', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(3, 2080))
    const working = gate()
    let aborted = false
    const handler: JobHandler = async (ctx) => {
      working.open()
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
      aborted = true
      throw ctx.signal.reason
    }
    const worker = new Worker({
      database: t.database,
      config: engineConfig(),
      log,
      handlers: { aggregation: handler },
    })
    await worker.start()
    await working.promise
    const started = Date.now()
    await worker.stop(300)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(aborted).toBe(true)
    const j = await waitFor(async () => {
      const r = await job(t.database.db, jobId)
      return r.state === 'QUEUED' ? r : undefined
    })
    expect(j.lockedBy).toBeNull()
    expect(j.attempts).toBe(0)
  })
})
