import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { lockPipelinesOfJobs } from '../../src/db/queries/pipeline-state.ts'
import {
  deriveLockedPipelines,
  refreshPipelinesOfJobs,
} from '../../src/domain/pipeline/refresh-pipelines.ts'
import { openTestDatabase, testEngine, type TestDatabase } from '../helpers/database.ts'
import { gate, pipelineRow, recalcRequest, startPipeline, waitFor } from '../helpers/engine.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'

/**
 * Deriving a pipeline (SPEC §5.5) locks it and reads its jobs in one statement. A transaction
 * that held the lock and changed a job meanwhile must not be missed: the statement's snapshot
 * predates its lock, so it notices the version moved and the jobs are read again.
 */
let t: TestDatabase
let tenant: Tenant

beforeAll(async () => {
  t = await openTestDatabase()
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// The holder claims "the next job": one left queued by the test before must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state <> 'FINISHED'`,
  )
})

describe('deriving a pipeline', () => {
  it('reads the jobs with the lock when nothing changed in between', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      recalcRequest(20, 2, 2081),
    )
    const locked = await t.database.db.transaction((tx) => lockPipelinesOfJobs(tx, [jobId]))
    expect(locked.pipelines).toEqual([{ id: pipelineId, cancelRequested: false }])
    expect(locked.jobs).toEqual([
      expect.objectContaining({ pipelineId, jobId, state: 'QUEUED', jobType: 'emission_recalc' }),
    ])
  })

  it.skipIf(testEngine === 'pglite')(
    'reads the jobs again when a transaction that held the lock changed one (PostgreSQL: PGlite runs one transaction at a time)',
    async () => {
      const { jobId, pipelineId } = await startPipeline(
        t.database,
        tenant,
        recalcRequest(20, 2, 2082),
      )
      const claimed = gate()
      const release = gate()
      // A claim that derives the pipeline, then holds its lock until released.
      const holder = t.database.db.transaction(async (tx) => {
        const job = await claimJob(tx, 'holder:1:x', ['emission_recalc'])
        expect(job?.id).toBe(jobId)
        await refreshPipelinesOfJobs(tx, [jobId])
        claimed.open()
        await release.promise
      })
      await claimed.promise
      let waited: Awaited<ReturnType<typeof lockPipelinesOfJobs>> | undefined
      const deriver = t.database.db.transaction(async (tx) => {
        waited = await lockPipelinesOfJobs(tx, [jobId])
        await deriveLockedPipelines(tx, waited)
      })
      // The deriver waits for the lock; the holder commits the claim.
      await new Promise((r) => setTimeout(r, 200))
      expect(waited).toBeUndefined()
      release.open()
      await holder
      await deriver
      expect(waited!.jobs).toBeUndefined()
      await waitFor(async () => (await pipelineRow(t.database.db, pipelineId)).status === 'RUNNING')
      expect(await pipelineRow(t.database.db, pipelineId)).toMatchObject({
        status: 'RUNNING',
        progress: { phase: 2, done: false },
      })
    },
  )
})
