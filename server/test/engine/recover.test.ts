import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rows } from '../../src/db/client.ts'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { finishInTransaction } from '../../src/domain/pipeline/finish-job.ts'
import { recoverJob } from '../../src/domain/pipeline/recover-job.ts'
import { refreshPipelinesOfJobs } from '../../src/domain/pipeline/refresh-pipelines.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import {
  aggregationRequest,
  engineConfig,
  job,
  jobsOfPipeline,
  pipelineRow,
  startPipeline,
} from '../helpers/engine.ts'
import { createTenant, scopeOf, type Tenant } from '../helpers/fixtures.ts'

/** An admin's recover (SPEC §5.6): a failed or stuck job gets a new attempt in its pipeline. */
let t: TestDatabase
let tenant: Tenant
const config = engineConfig()

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

async function claim(pod: string) {
  return t.database.db.transaction(async (tx) => {
    const j = await claimJob(tx, pod, ['aggregation'])
    if (j) await refreshPipelinesOfJobs(tx, [j.id])
    return j!
  })
}

describe('recover', () => {
  it('retries a job that ended in ERROR, in the same pipeline', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      aggregationRequest(2, 2090),
    )
    const running = await claim('pod:1:a#1')
    await t.database.db.transaction((tx) =>
      finishInTransaction(tx, running, 'pod:1:a#1', { result: 'ERROR', message: 'boom' }),
    )
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('FAILED')

    const retry = await recoverJob(t.database, config, scopeOf(tenant), jobId)
    expect(retry.pipelineId).toBe(pipelineId)
    const fresh = await job(t.database.db, retry.jobId)
    expect(fresh).toMatchObject({
      state: 'QUEUED',
      retryOf: jobId,
      attempts: 0,
      jobType: 'aggregation',
      year: 2090,
    })
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('NOT_STARTED')
    const again = await claim('pod:2:b#1')
    await t.database.db.transaction((tx) =>
      finishInTransaction(tx, again, 'pod:2:b#1', { result: 'SUCCESS', message: null }),
    )
    // The retried job no longer counts: the pipeline succeeded.
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('SUCCESS')
    expect((await jobsOfPipeline(t.database.db, pipelineId)).map((j) => j.result)).toEqual([
      'ERROR',
      'SUCCESS',
    ])
  })

  it('ends a stuck running job as ERROR first, and its pod can no longer commit', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      aggregationRequest(3, 2090),
    )
    const stuck = await claim('pod:3:c#1')
    await expect(recoverJob(t.database, config, scopeOf(tenant), jobId)).rejects.toMatchObject({
      status: 409,
    })
    await t.database.db.execute(
      sql`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${jobId}`,
    )
    const retry = await recoverJob(t.database, config, scopeOf(tenant), jobId)
    const old = await job(t.database.db, jobId)
    expect(old).toMatchObject({
      state: 'FINISHED',
      result: 'ERROR',
      statusMessage: 'recovered by an admin',
    })
    // The stuck pod wakes up and tries to finish, with effects: all of it rolls back.
    await expect(
      t.database.db.transaction(async (tx) => {
        await tx.execute(
          sql`UPDATE institutions SET name = 'written by a stale pod' WHERE id = ${tenant.institutionId}`,
        )
        await finishInTransaction(tx, stuck, 'pod:3:c#1', { result: 'SUCCESS', message: null })
      }),
    ).rejects.toThrow(/no longer owned/)
    const [inst] = await rows<{ name: string }>(
      t.database.db,
      sql`SELECT name FROM institutions WHERE id = ${tenant.institutionId}`,
    )
    expect(inst!.name).not.toBe('written by a stale pod')
    expect((await job(t.database.db, jobId)).result).toBe('ERROR')
    expect(await job(t.database.db, retry.jobId)).toMatchObject({ state: 'QUEUED', retryOf: jobId })
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('NOT_STARTED')
  })

  it('refuses a job that was already recovered', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(5, 2091))
    const running = await claim('pod:4:d#1')
    await t.database.db.transaction((tx) =>
      finishInTransaction(tx, running, 'pod:4:d#1', { result: 'ERROR', message: 'boom' }),
    )
    const retry = await recoverJob(t.database, config, scopeOf(tenant), jobId)
    await expect(recoverJob(t.database, config, scopeOf(tenant), jobId)).rejects.toMatchObject({
      status: 409,
      code: 'conflict',
      details: { retriedBy: retry.jobId },
    })
  })

  it('counts a pending job of the scope as the retry when the recover joins it', async () => {
    const failed = await startPipeline(t.database, tenant, aggregationRequest(6, 2091))
    const running = await claim('pod:5:e#1')
    await t.database.db.transaction((tx) =>
      finishInTransaction(tx, running, 'pod:5:e#1', { result: 'ERROR', message: 'boom' }),
    )
    // Another pipeline's aggregation of the same module and year waits in the queue.
    const waiting = await startPipeline(t.database, tenant, aggregationRequest(6, 2091))
    const retry = await recoverJob(t.database, config, scopeOf(tenant), failed.jobId)
    expect(retry.jobId).toBe(waiting.jobId)
    expect(await job(t.database.db, waiting.jobId)).toMatchObject({ retryOf: failed.jobId })
    // The failed job no longer counts for its pipeline: the joined job does.
    expect((await pipelineRow(t.database.db, failed.pipelineId)).status).toBe('NOT_STARTED')
  })

  it('refuses a job that succeeded or is still queued', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(4, 2090))
    await expect(recoverJob(t.database, config, scopeOf(tenant), jobId)).rejects.toMatchObject({
      status: 409,
      code: 'conflict',
    })
    const other = await createTenant(t.database.db)
    await expect(recoverJob(t.database, config, scopeOf(other), jobId)).rejects.toMatchObject({
      status: 403,
    })
  })
})
