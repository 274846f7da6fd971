import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rows } from '../../src/db/client.ts'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { refreshPipelinesOfJobs } from '../../src/domain/pipeline/refresh-pipelines.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { aggregationRequest, job, pipelineRow, startPipeline } from '../helpers/engine.ts'

let t: TestDatabase
let tenant: Tenant

beforeAll(async () => {
  t = await openTestDatabase({ poolMax: 20 })
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())

describe('claim', () => {
  it('gives a queued job to exactly one of many concurrent claimers', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      aggregationRequest(2, 2031),
    )
    const pods = Array.from({ length: 12 }, (_, i) => `test-host:${i}:claim`)
    const claimed = await Promise.all(
      pods.map((pod) =>
        t.database.db.transaction(async (tx) => {
          const got = await claimJob(tx, pod, ['aggregation'])
          if (got) await refreshPipelinesOfJobs(tx, [got.id])
          return got ? { pod, id: got.id } : undefined
        }),
      ),
    )
    const winners = claimed.filter((c) => c !== undefined)
    expect(winners).toHaveLength(1)
    expect(winners[0]!.id).toBe(jobId)
    const row = await job(t.database.db, jobId)
    expect(row.state).toBe('RUNNING')
    expect(row.lockedBy).toBe(winners[0]!.pod)
    expect(row.attempts).toBe(1)
    const events = await rows<{ state: string; pod: string }>(
      t.database.db,
      sql`SELECT state, pod FROM job_events WHERE job_id = ${jobId} ORDER BY id`,
    )
    expect(events.map((e) => e.state)).toEqual(['QUEUED', 'RUNNING'])
    expect((await pipelineRow(t.database.db, pipelineId)).status).toBe('RUNNING')
  })

  it('claims nothing whose run_after is in the future, and nothing twice', async () => {
    const { jobId } = await startPipeline(t.database, tenant, aggregationRequest(3, 2031))
    await t.database.db.execute(
      sql`UPDATE jobs SET run_after = now() + interval '1 hour' WHERE id = ${jobId}`,
    )
    const got = await t.database.db.transaction((tx) => claimJob(tx, 'test:1:x', ['aggregation']))
    expect(got).toBeUndefined()
  })
})
