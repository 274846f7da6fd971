import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rows, type Db } from '../../src/db/client.ts'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { insertPipeline } from '../../src/db/queries/enqueue-job.ts'
import { releaseOwnedJob } from '../../src/db/queries/release-owned-job.ts'
import { requestJob } from '../../src/domain/pipeline/enqueue.ts'
import { finishInTransaction } from '../../src/domain/pipeline/finish-job.ts'
import { refreshPipelinesOfJobs } from '../../src/domain/pipeline/refresh-pipelines.ts'
import { createLogger } from '../../src/log.ts'
import { Reaper } from '../../src/worker/reaper.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { engineConfig, job, recalcRequest } from '../helpers/engine.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'

/**
 * One running job per deduplicated scope (dedupRules): a follow-up requested while a job runs
 * waits for it, so that the job that read the newest data always commits last; and a job that
 * goes back to the queue beside such a follow-up (reclaim, release) neither fails on the
 * pending index nor runs beside it.
 */
let t: TestDatabase
let tenant: Tenant
const engine = process.env['TEST_ENGINE'] === 'pglite' ? 'pglite' : 'postgres'

beforeAll(async () => {
  t = await openTestDatabase({ poolMax: 10 })
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// Each test claims "the next job": jobs left pending by an earlier test must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state <> 'FINISHED'`,
  )
})

/** A recalculation request in a pipeline of its own, as an upload's chain would make it. */
async function request(year: number) {
  return t.database.db.transaction(async (tx) => {
    const pipelineId = await insertPipeline(tx, {
      institutionId: tenant.institutionId,
      kind: 'recalculation',
      moduleTypeId: 2,
      dataEntryTypeId: 20,
      year,
      createdBy: null,
    })
    const r = await requestJob(
      tx,
      { pipelineId, institutionId: tenant.institutionId, createdBy: null, parentJobId: null },
      recalcRequest(20, 2, year),
    )
    await refreshPipelinesOfJobs(tx, [r.jobId], [], [pipelineId])
    return { pipelineId, ...r }
  })
}

async function claim(pod: string) {
  return t.database.db.transaction(async (tx) => {
    const got = await claimJob(tx, pod, ['emission_recalc'])
    if (got) await refreshPipelinesOfJobs(tx, [got.id])
    return got
  })
}

async function statesOfScope(db: Db, year: number) {
  return rows<{ id: number; state: string }>(
    db,
    sql`SELECT id, state FROM jobs WHERE job_type = 'emission_recalc' AND year = ${year}
          AND institution_id = ${tenant.institutionId} AND state <> 'FINISHED' ORDER BY id`,
  )
}

async function backdateHeartbeat(db: Db, jobId: number): Promise<void> {
  await db.execute(
    sql`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${jobId}`,
  )
}

describe('one running job per scope', () => {
  it('keeps a follow-up waiting while its scope runs, and lets it run once that job ends', async () => {
    const year = 2071
    const first = await request(year)
    const running = await claim('pod-a:1:x')
    expect(running?.id).toBe(first.jobId)
    const followUp = await request(year)
    expect(followUp.joined).toBe(false)
    expect(followUp.jobId).not.toBe(first.jobId)

    expect(await claim('pod-b:1:x')).toBeUndefined()
    expect((await job(t.database.db, followUp.jobId)).state).toBe('QUEUED')

    await t.database.db.transaction((tx) =>
      finishInTransaction(tx, running!, 'pod-a:1:x', { result: 'SUCCESS', message: null }),
    )
    expect((await claim('pod-b:1:x'))?.id).toBe(followUp.jobId)
  })

  it('still claims the jobs of other scopes while one scope waits', async () => {
    await request(2072)
    await claim('pod-a:1:x')
    await request(2072)
    const other = await request(2073)
    expect((await claim('pod-b:1:x'))?.id).toBe(other.jobId)
  })

  it('reclaims a silent job beside its waiting follow-up, then runs the two one after the other', async () => {
    const year = 2074
    const first = await request(year)
    await claim('dead:1:x')
    const followUp = await request(year)
    await backdateHeartbeat(t.database.db, first.jobId)

    const reaper = new Reaper(t.database, engineConfig(), createLogger('silent'), 'reaper:1:x')
    expect(await reaper.sweep()).toEqual([{ jobId: first.jobId, requeued: true }])
    expect(await statesOfScope(t.database.db, year)).toEqual([
      { id: first.jobId, state: 'QUEUED' },
      { id: followUp.jobId, state: 'QUEUED' },
    ])
    // A further request joins the follow-up, the job that has not started yet.
    const later = await request(year)
    expect(later).toMatchObject({ jobId: followUp.jobId, joined: true })

    const again = await claim('pod-b:1:x')
    expect(again?.id).toBe(first.jobId)
    expect(await claim('pod-c:1:x')).toBeUndefined()
    await t.database.db.transaction((tx) =>
      finishInTransaction(tx, again!, 'pod-b:1:x', { result: 'SUCCESS', message: null }),
    )
    expect((await claim('pod-c:1:x'))?.id).toBe(followUp.jobId)
  })

  it('releases a job at shutdown beside its waiting follow-up', async () => {
    const year = 2075
    const first = await request(year)
    await claim('leaving:1:x')
    const followUp = await request(year)
    const released = await t.database.db.transaction((tx) =>
      releaseOwnedJob(tx, first.jobId, 'leaving:1:x', {
        refundAttempt: true,
        delayMs: 0,
        message: 'released at shutdown',
      }),
    )
    expect(released?.id).toBe(first.jobId)
    expect(await statesOfScope(t.database.db, year)).toEqual([
      { id: first.jobId, state: 'QUEUED' },
      { id: followUp.jobId, state: 'QUEUED' },
    ])
  })

  it.skipIf(engine === 'pglite')(
    'lets one of two racing claims run a scope, the other gets nothing (PostgreSQL: PGlite runs one transaction at a time)',
    async () => {
      const year = 2076
      const first = await request(year)
      await claim('dead:1:x')
      await request(year)
      await backdateHeartbeat(t.database.db, first.jobId)
      await new Reaper(t.database, engineConfig(), createLogger('silent'), 'reaper:1:x').sweep()
      // Two queued jobs of one scope, two claimers at once: each sees no running job in its
      // snapshot, so the running index decides.
      const results = await Promise.allSettled([claim('race-a:1:x'), claim('race-b:1:x')])
      const claimed = results.filter((r) => r.status === 'fulfilled' && r.value !== undefined)
      expect(claimed).toHaveLength(1)
      const states = await statesOfScope(t.database.db, year)
      expect(states.filter((s) => s.state === 'RUNNING')).toHaveLength(1)
    },
  )
})
