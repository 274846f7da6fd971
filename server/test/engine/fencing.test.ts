import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rows, type Db } from '../../src/db/client.ts'
import { finishOwnedJob } from '../../src/db/queries/finish-owned-job.ts'
import type { JobRow } from '../../src/db/rows.ts'
import type { JobHandler } from '../../src/domain/pipeline/job-context.ts'
import { createLogger } from '../../src/log.ts'
import { Reaper } from '../../src/worker/reaper.ts'
import { Worker } from '../../src/worker/runner.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'
import {
  aggregationRequest,
  engineConfig,
  gate,
  job,
  startPipeline,
  waitFor,
} from '../helpers/engine.ts'

/**
 * Fencing (SPEC §5.2): once a job is taken from a pod, that pod can neither finish the job
 * nor leave any of its effects behind, and its handler is aborted.
 */
let t: TestDatabase
let tenant: Tenant
const log = createLogger(process.env['TEST_LOG'] === '1' ? 'debug' : 'silent')

beforeAll(async () => {
  t = await openTestDatabase({ poolMax: 10 })
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// A worker claims the oldest queued job: one left queued by an earlier test must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state IN ('NOT_STARTED', 'QUEUED')`,
  )
})

/** The test handlers' visible effect: statistics rows written by the job inside its transaction. */
async function writeMarker(tx: Db, j: JobRow, pod: string): Promise<void> {
  await tx.execute(sql`
    INSERT INTO module_statistics (institution_id, module_type_id, year, total_kg_co2eq, entry_count,
      entries_without_emission, by_data_entry_type, by_unit, job_id)
    VALUES (${j.institutionId}, ${j.moduleTypeId}, ${j.year}, 1, 1, 0, ${JSON.stringify({ pod })}::jsonb, '{}'::jsonb, ${j.id})
    ON CONFLICT (institution_id, module_type_id, year) DO UPDATE
      SET by_data_entry_type = excluded.by_data_entry_type, job_id = excluded.job_id`)
}

async function markers(db: Db, year: number) {
  return rows<{ job_id: number; pod: string }>(
    db,
    sql`SELECT job_id, by_data_entry_type ->> 'pod' AS pod FROM module_statistics WHERE year = ${year}`,
  )
}

async function backdateHeartbeat(db: Db, jobId: number): Promise<void> {
  await db.execute(
    sql`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${jobId}`,
  )
}

/**
 * Where the pod is when it loses the job: before its finishing transaction (parsing a file,
 * say) or inside it, with its effects written but not committed. PGlite serves one
 * connection, so while a transaction is open nothing else runs and no other pod can reclaim
 * the job: the second case exists on PostgreSQL only.
 */
const phases = t_engine() === 'postgres' ? (['before', 'inside'] as const) : (['before'] as const)

function t_engine() {
  return process.env['TEST_ENGINE'] === 'pglite' ? 'pglite' : 'postgres'
}

describe.each(phases)('a pod preempted %s its finishing transaction', (phase) => {
  it('is aborted at its next heartbeat and leaves no row behind', async () => {
    const year = phase === 'before' ? 2040 : 2050
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, year))
    const config = engineConfig()
    const working = gate()
    const release = gate()
    let signalFired = false
    let abortKind: string | undefined
    const slow: JobHandler = async (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        signalFired = true
        abortKind = (ctx.signal.reason as { kind?: string }).kind
        release.open()
      })
      if (phase === 'before') {
        working.open()
        await release.promise
      }
      await ctx.finish(async (tx) => {
        await writeMarker(tx, ctx.job, ctx.pod)
        if (phase === 'inside') {
          working.open()
          await release.promise
        }
        return { result: 'SUCCESS', message: 'done' }
      })
    }
    const a = new Worker({
      database: t.database,
      config,
      log,
      handlers: { aggregation: slow },
      pod: 'pod-a:1:aaaa',
    })
    await a.start()
    await working.promise
    // Pod A claims nothing more from here on, but keeps running the job it holds.
    const aStopped = a.stop(10_000)
    // Pod A still holds the job. Make it look silent and let another pod's sweep reclaim it.
    const reclaimed = await t.database.db.transaction(async (tx) => {
      await backdateHeartbeat(tx, jobId)
      return new Reaper(t.database, config, log, 'pod-reaper:1:rrrr').sweepIn(tx)
    })
    expect(reclaimed).toEqual([{ jobId, requeued: true }])
    await waitFor(async () => signalFired, 5000, 'pod A abort')
    await aStopped
    expect(abortKind).toBe('lost')
    expect(await markers(t.database.db, year)).toEqual([])

    // Another pod runs the job to completion; only its effects exist.
    const fast: JobHandler = (ctx) =>
      ctx.finish(async (tx) => {
        await writeMarker(tx, ctx.job, ctx.pod)
        return { result: 'SUCCESS', message: 'done' }
      })
    const b = new Worker({
      database: t.database,
      config,
      log,
      handlers: { aggregation: fast },
      pod: 'pod-b:2:bbbb',
    })
    await b.start()
    const done = await waitFor(async () => {
      const j = await job(t.database.db, jobId)
      return j.state === 'FINISHED' ? j : undefined
    })
    await b.stop()
    expect(done.result).toBe('SUCCESS')
    expect(done.lockedBy).toMatch(/^pod-b:2:bbbb#\d$/)
    expect(done.attempts).toBe(2)
    expect(await markers(t.database.db, year)).toEqual([{ job_id: jobId, pod: done.lockedBy }])
  })

  it('cannot commit even if it never noticed: its finish rolls back its effects', async () => {
    const year = phase === 'before' ? 2041 : 2051
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(2, year))
    // A heartbeat slower than the test, so pod A learns nothing before it tries to finish.
    const config = engineConfig({ HEARTBEAT_INTERVAL_MS: '20000', STALE_AFTER_MS: '61000' })
    const working = gate()
    const release = gate()
    let failure: unknown
    const handler: JobHandler = async (ctx) => {
      try {
        if (phase === 'before') {
          working.open()
          await release.promise
        }
        await ctx.finish(async (tx) => {
          await writeMarker(tx, ctx.job, ctx.pod)
          if (phase === 'inside') {
            working.open()
            await release.promise
          }
          return { result: 'SUCCESS', message: 'done', children: [aggregationRequest(3, year)] }
        })
      } catch (error) {
        failure = error
        throw error
      }
    }
    const a = new Worker({
      database: t.database,
      config,
      log,
      handlers: { aggregation: handler },
      pod: 'pod-a:1:cccc',
    })
    await a.start()
    await working.promise
    const aStopped = a.stop(10_000)
    await t.database.db.transaction(async (tx) => {
      await backdateHeartbeat(tx, jobId)
      await new Reaper(t.database, config, log, 'pod-reaper:1:rrrr').sweepIn(tx)
    })
    release.open()
    await waitFor(async () => failure !== undefined, 5000, 'pod A finish to fail')
    await aStopped
    expect(String(failure)).toMatch(/no longer owned/)
    expect(await markers(t.database.db, year)).toEqual([])
    const j = await job(t.database.db, jobId)
    expect(j.state).toBe('QUEUED')
    expect(j.lockedBy).toBeNull()
    // No child was created by the rolled-back finish.
    const children = await rows(
      t.database.db,
      sql`SELECT id FROM jobs WHERE parent_job_id = ${jobId}`,
    )
    expect(children).toEqual([])
  })
})

describe('the compare-and-set', () => {
  it('fails once the job is not RUNNING under the pod name', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(4, 2042))
    const status = await t.database.db.transaction((tx) =>
      finishOwnedJob(tx, jobId, 'someone:1:else', {
        result: 'SUCCESS',
        message: null,
        meta: {},
        childIds: [],
        wake: false,
      }),
    )
    expect(status).toBe('lost')
    expect((await job(t.database.db, jobId)).state).toBe('QUEUED')
  })
})

describe('reclaim', () => {
  it('ends a job whose attempts are used up as ERROR', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      aggregationRequest(5, 2043),
    )
    await t.database.db.execute(
      sql`UPDATE jobs SET state = 'RUNNING', locked_by = 'gone:1:x', attempts = 3, heartbeat_at = now() - interval '1 hour' WHERE id = ${jobId}`,
    )
    const config = engineConfig()
    const reclaimed = await new Reaper(t.database, config, log, 'reaper:1:x').sweep()
    expect(reclaimed).toEqual([{ jobId, requeued: false }])
    const j = await job(t.database.db, jobId)
    expect(j.state).toBe('FINISHED')
    expect(j.result).toBe('ERROR')
    expect(j.statusMessage).toBe('abandoned after 3 attempts')
    expect(j.isCurrent).toBe(true)
    const [p] = await rows<{ status: string }>(
      t.database.db,
      sql`SELECT status FROM pipelines WHERE id = ${pipelineId}`,
    )
    expect(p!.status).toBe('FAILED')
  })

  it('leaves alone a running job with a fresh heartbeat', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(6, 2043))
    await t.database.db.execute(
      sql`UPDATE jobs SET state = 'RUNNING', locked_by = 'alive:1:x', attempts = 1, heartbeat_at = now() WHERE id = ${jobId}`,
    )
    expect(await new Reaper(t.database, engineConfig(), log, 'reaper:1:x').sweep()).toEqual([])
  })
})
