import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rows, type Db } from '../../src/db/client.ts'
import { cancelPipeline } from '../../src/domain/pipeline/cancel-pipeline.ts'
import type { JobOutcome } from '../../src/domain/pipeline/finish-job.ts'
import type { JobHandler } from '../../src/domain/pipeline/job-context.ts'
import { createLogger } from '../../src/log.ts'
import { Worker } from '../../src/worker/runner.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import {
  aggregationRequest,
  engineConfig,
  gate,
  job,
  jobsOfPipeline,
  pipelineRow,
  recalcRequest,
  startPipeline,
  waitFor,
} from '../helpers/engine.ts'
import { createTenant, scopeOf, type Tenant } from '../helpers/fixtures.ts'

/** Children exist if and only if the parent's effects committed with SUCCESS or WARNING (SPEC §5.3). */
const log = createLogger('silent')
let t: TestDatabase
let tenant: Tenant

beforeAll(async () => {
  t = await openTestDatabase()
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// A worker claims the oldest queued job: one left queued by an earlier test must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state IN ('NOT_STARTED', 'QUEUED')`,
  )
})

async function children(db: Db, parentId: number) {
  return rows<{ id: number; job_type: string }>(
    db,
    sql`SELECT id, job_type FROM jobs WHERE parent_job_id = ${parentId}`,
  )
}

/** Runs the pipeline's root with a handler that returns `outcome` (children: one aggregation), on a worker of its own. */
async function runRoot(year: number, handler: JobHandler) {
  const started = await startPipeline(t.database, tenant, recalcRequest(20, 2, year))
  // The worker handles recalcs only, so the chained aggregation stays pending where the test can see it.
  const worker = new Worker({
    database: t.database,
    config: engineConfig(),
    log,
    handlers: { emission_recalc: handler },
  })
  await worker.start()
  const done = await waitFor(async () => {
    const j = await job(t.database.db, started.jobId)
    return j.state === 'FINISHED' ? j : undefined
  })
  await worker.stop()
  return { ...started, done }
}

const outcomeHandler =
  (outcome: JobOutcome): JobHandler =>
  (ctx) =>
    ctx.finish(async () => outcome)

describe('chaining', () => {
  it.each(['SUCCESS', 'WARNING'] as const)(
    'creates the children of a %s in the same pipeline',
    async (result) => {
      const year = result === 'SUCCESS' ? 2060 : 2061
      const { done, pipelineId } = await runRoot(
        year,
        outcomeHandler({ result, message: null, children: [aggregationRequest(2, year)] }),
      )
      expect(done.result).toBe(result)
      const kids = await children(t.database.db, done.id)
      expect(kids.map((k) => k.job_type)).toEqual(['aggregation'])
      const all = await jobsOfPipeline(t.database.db, pipelineId)
      expect(all.map((j) => j.jobType)).toEqual(['emission_recalc', 'aggregation'])
      const p = await pipelineRow(t.database.db, pipelineId)
      expect(p.status).toBe('RUNNING')
      expect(p.progress.phase).toBe(3)
    },
  )

  it('creates nothing after an ERROR outcome', async () => {
    const { done, pipelineId } = await runRoot(
      2062,
      outcomeHandler({
        result: 'ERROR',
        message: 'all rows invalid',
        children: [aggregationRequest(2, 2062)],
      }),
    )
    expect(done.result).toBe('ERROR')
    expect(await children(t.database.db, done.id)).toEqual([])
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('FAILED')
  })

  it('finishes a job that has nothing to commit from its outcome alone', async () => {
    const started = await startPipeline(t.database, tenant, recalcRequest(20, 2, 2065))
    const worker = new Worker({
      database: t.database,
      config: engineConfig(),
      log,
      handlers: {
        emission_recalc: (ctx) => ctx.finish({ result: 'SUCCESS', message: 'nothing to do' }),
      },
    })
    await worker.start()
    const done = await waitFor(async () => {
      const j = await job(t.database.db, started.jobId)
      return j.state === 'FINISHED' ? j : undefined
    })
    await worker.stop()
    expect(done).toMatchObject({
      result: 'SUCCESS',
      statusMessage: 'nothing to do',
      isCurrent: true,
    })
    expect((await pipelineRow(t.database.db, started.pipelineId)).status).toBe('SUCCESS')
  })

  it('creates the children of an outcome passed without effects', async () => {
    const { done, pipelineId } = await runRoot(2066, (ctx) =>
      ctx.finish({ result: 'SUCCESS', message: null, children: [aggregationRequest(2, 2066)] }),
    )
    expect(done.result).toBe('SUCCESS')
    expect((await children(t.database.db, done.id)).map((k) => k.job_type)).toEqual(['aggregation'])
    expect((await pipelineRow(t.database.db, pipelineId)).progress.phase).toBe(3)
  })

  it('creates nothing when the handler throws, and records the error', async () => {
    const { done } = await runRoot(2063, async () => {
      throw new Error('factor table unreadable')
    })
    expect(done.result).toBe('ERROR')
    expect(done.statusMessage).toBe('factor table unreadable')
    expect(await children(t.database.db, done.id)).toEqual([])
  })
})

describe('cancel', () => {
  // On PGlite nothing else runs while a transaction is open (one connection), so there the job
  // is cancelled while it works outside its transaction; on PostgreSQL, inside it.
  it('stops a running job at its next heartbeat: rolled back, CANCELLED, nothing chained', async () => {
    const year = 2064
    const inside = t.engine === 'postgres'
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      recalcRequest(20, 2, year),
    )
    const working = gate()
    let aborted = false
    const waitForAbort = async (signal: AbortSignal) => {
      working.open()
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
      aborted = true
      throw signal.reason
    }
    const handler: JobHandler = async (ctx) => {
      if (!inside) await waitForAbort(ctx.signal)
      await ctx.finish(async (tx) => {
        // An effect inside the job's transaction, which the cancel must roll back.
        await tx.execute(
          sql`UPDATE institutions SET name = 'changed by a cancelled job' WHERE id = ${ctx.job.institutionId}`,
        )
        await waitForAbort(ctx.signal)
        return { result: 'SUCCESS', message: null, children: [aggregationRequest(2, year)] }
      })
    }
    const worker = new Worker({
      database: t.database,
      config: engineConfig(),
      log,
      handlers: { emission_recalc: handler },
    })
    await worker.start()
    await working.promise
    await cancelPipeline(t.database, scopeOf(tenant), pipelineId)
    const done = await waitFor(async () => {
      const j = await job(t.database.db, jobId)
      return j.state === 'FINISHED' ? j : undefined
    })
    await worker.stop()
    expect(done.result).toBe('CANCELLED')
    expect(aborted).toBe(true)
    expect(await children(t.database.db, jobId)).toEqual([])
    const [inst] = await rows<{ name: string }>(
      t.database.db,
      sql`SELECT name FROM institutions WHERE id = ${tenant.institutionId}`,
    )
    expect(inst!.name).not.toBe('changed by a cancelled job')
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('CANCELLED')
  })

  it('cancels a job that finishes before its next heartbeat: rolled back, CANCELLED, nothing chained', async () => {
    const year = 2067
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      recalcRequest(20, 2, year),
    )
    const working = gate()
    const cancelled = gate()
    const handler: JobHandler = async (ctx) => {
      working.open()
      // The cancel lands now, and no heartbeat comes before the finish (one a minute).
      await cancelled.promise
      await ctx.finish(async (tx) => {
        await tx.execute(
          sql`UPDATE institutions SET name = 'changed by a cancelled job' WHERE id = ${ctx.job.institutionId}`,
        )
        return { result: 'SUCCESS', message: null, children: [aggregationRequest(2, year)] }
      })
    }
    const worker = new Worker({
      database: t.database,
      config: engineConfig({ HEARTBEAT_INTERVAL_MS: '60000', STALE_AFTER_MS: '600000' }),
      log,
      handlers: { emission_recalc: handler },
    })
    await worker.start()
    await working.promise
    await cancelPipeline(t.database, scopeOf(tenant), pipelineId)
    cancelled.open()
    const done = await waitFor(async () => {
      const j = await job(t.database.db, jobId)
      return j.state === 'FINISHED' ? j : undefined
    })
    await worker.stop()
    expect(done.result).toBe('CANCELLED')
    expect(await children(t.database.db, jobId)).toEqual([])
    const [inst] = await rows<{ name: string }>(
      t.database.db,
      sql`SELECT name FROM institutions WHERE id = ${tenant.institutionId}`,
    )
    expect(inst!.name).not.toBe('changed by a cancelled job')
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('CANCELLED')
  })

  it('hands a pending job that another pipeline joined over to that pipeline instead of cancelling it', async () => {
    const year = 2068
    const first = await startPipeline(t.database, tenant, aggregationRequest(5, year))
    const second = await startPipeline(t.database, tenant, aggregationRequest(5, year))
    expect(second.jobId).toBe(first.jobId)
    await cancelPipeline(t.database, scopeOf(tenant), first.pipelineId)

    const j = await job(t.database.db, first.jobId)
    expect(j.state).toBe('QUEUED')
    expect(j.pipelineId).toBe(second.pipelineId)
    expect((await pipelineRow(t.database.db, first.pipelineId)).status).toBe('CANCELLED')
    expect((await pipelineRow(t.database.db, second.pipelineId)).status).toBe('NOT_STARTED')
    expect((await jobsOfPipeline(t.database.db, first.pipelineId)).map((x) => x.id)).toEqual([])
    expect((await jobsOfPipeline(t.database.db, second.pipelineId)).map((x) => x.id)).toEqual([
      first.jobId,
    ])
  })

  it('ends pending jobs at once, and refuses a pipeline that has ended', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      aggregationRequest(7, 2065),
    )
    await cancelPipeline(t.database, scopeOf(tenant), pipelineId)
    const j = await job(t.database.db, jobId)
    expect([j.state, j.result]).toEqual(['FINISHED', 'CANCELLED'])
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('CANCELLED')
    await expect(cancelPipeline(t.database, scopeOf(tenant), pipelineId)).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
    })
  })

  it("answers 403 for another institution's pipeline and 404 for none", async () => {
    const other = await createTenant(t.database.db)
    const { pipelineId } = await startPipeline(t.database, tenant, aggregationRequest(8, 2066))
    await expect(cancelPipeline(t.database, scopeOf(other), pipelineId)).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
    })
    await expect(cancelPipeline(t.database, scopeOf(other), 999_999)).rejects.toMatchObject({
      status: 404,
    })
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('NOT_STARTED')
  })
})
