import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rows, type Db } from '../../src/db/client.ts'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { insertPipeline } from '../../src/db/queries/enqueue-job.ts'
import { requestJob } from '../../src/domain/pipeline/enqueue.ts'
import { refreshPipelinesOfJobs } from '../../src/domain/pipeline/refresh-pipelines.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { gate, pipelineRow, recalcRequest } from '../helpers/engine.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'

/**
 * Deduplication (SPEC §5.3): at most one pending job per scope, tenant included; a request
 * meeting a pending job joins it; a request while one runs adds exactly one follow-up.
 */
let t: TestDatabase
let tenant: Tenant

beforeAll(async () => {
  t = await openTestDatabase({ poolMax: 20 })
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// Each test claims "the next job": jobs left pending by an earlier test must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state IN ('NOT_STARTED', 'QUEUED')`,
  )
})

async function newPipeline(db: Db, who: Tenant = tenant): Promise<number> {
  return insertPipeline(db, {
    institutionId: who.institutionId,
    kind: 'recalculation',
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year: 2070,
    createdBy: null,
  })
}

/** One request in a transaction of its own, as a finishing parent or an HTTP call would make it. */
async function request(year: number, who: Tenant = tenant) {
  return t.database.db.transaction(async (tx) => {
    const pipelineId = await newPipeline(tx, who)
    const r = await requestJob(
      tx,
      { pipelineId, institutionId: who.institutionId, createdBy: null, parentJobId: null },
      recalcRequest(20, 2, year),
    )
    await refreshPipelinesOfJobs(tx, [r.jobId], [], [pipelineId])
    return { pipelineId, ...r }
  })
}

async function pendingRecalcs(db: Db, year: number, institutionId = tenant.institutionId) {
  return rows<{ id: number }>(
    db,
    sql`SELECT id FROM jobs WHERE job_type = 'emission_recalc' AND year = ${year} AND institution_id = ${institutionId}
        AND state IN ('NOT_STARTED', 'QUEUED')`,
  )
}

describe('dedup', () => {
  it('leaves one pending job for many concurrent requests of one scope, linked to every pipeline', async () => {
    const year = 2070
    const results = await Promise.all(Array.from({ length: 16 }, () => request(year)))
    const pending = await pendingRecalcs(t.database.db, year)
    expect(pending).toHaveLength(1)
    const jobId = pending[0]!.id
    expect(new Set(results.map((r) => r.jobId))).toEqual(new Set([jobId]))
    expect(results.filter((r) => !r.joined)).toHaveLength(1)
    const links = await rows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM pipeline_jobs WHERE job_id = ${jobId}`,
    )
    expect(links[0]!.n).toBe(16)
    // A pipeline that joined counts the job as its own.
    const joiner = results.find((r) => r.joined)!
    expect((await pipelineRow(t.database.db, joiner.pipelineId)).status).toBe('NOT_STARTED')
  })

  it('keeps tenants apart: the same scope in another institution is another job', async () => {
    const other = await createTenant(t.database.db)
    const a = await request(2071)
    const b = await request(2071, other)
    expect(a.jobId).not.toBe(b.jobId)
    expect(b.joined).toBe(false)
  })

  it('adds exactly one pending follow-up while a job of the scope runs (no lost update)', async () => {
    const year = 2072
    const first = await request(year)
    const running = await t.database.db.transaction((tx) =>
      claimJob(tx, 'runner:1:x', ['emission_recalc']),
    )
    expect(running?.id).toBe(first.jobId)
    const more = await Promise.all(Array.from({ length: 8 }, () => request(year)))
    const pending = await pendingRecalcs(t.database.db, year)
    expect(pending).toHaveLength(1)
    expect(pending[0]!.id).not.toBe(first.jobId)
    expect(new Set(more.map((r) => r.jobId))).toEqual(new Set([pending[0]!.id]))
  })

  // PostgreSQL only: PGlite runs one transaction at a time, so a claim cannot interleave with
  // a joiner there.
  it.skipIf(process.env['TEST_ENGINE'] === 'pglite')(
    'keeps a joined job from being claimed until the joining transaction commits',
    async () => {
      const year = 2073
      const first = await request(year)
      const joined = gate()
      const commit = gate()
      const joiner = t.database.db.transaction(async (tx) => {
        const pipelineId = await newPipeline(tx)
        const r = await requestJob(
          tx,
          { pipelineId, institutionId: tenant.institutionId, createdBy: null, parentJobId: null },
          recalcRequest(20, 2, year),
        )
        expect(r).toEqual({ jobId: first.jobId, joined: true })
        joined.open()
        await commit.promise
      })
      await joined.promise
      const whileJoining = await t.database.db.transaction((tx) =>
        claimJob(tx, 'claimer:1:x', ['emission_recalc']),
      )
      expect(whileJoining).toBeUndefined()
      commit.open()
      await joiner
      const afterCommit = await t.database.db.transaction((tx) =>
        claimJob(tx, 'claimer:1:x', ['emission_recalc']),
      )
      expect(afterCommit?.id).toBe(first.jobId)
    },
  )
})
