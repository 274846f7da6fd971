import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { jobPhase, jobTypes, phaseLabels } from '@carbon-sync/shared'
import { rows } from '../../src/db/client.ts'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { refreshPipelinesOfJobs } from '../../src/domain/pipeline/refresh-pipelines.ts'
import { openTestDatabase, testEngine, type TestDatabase } from '../helpers/database.ts'
import { gate, pipelineRow, recalcRequest, startPipeline } from '../helpers/engine.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'

/**
 * A pipeline's status and progress, derived from its jobs (SPEC §5.5) by the database function
 * `derive_pipelines` (migration 0009), on both engines: the rules table-driven, then the
 * cases that only the database can show (locks, joined jobs, overrides).
 */
let t: TestDatabase
let tenant: Tenant

beforeAll(async () => {
  t = await openTestDatabase()
  tenant = await createTenant(t.database.db)
})
afterAll(() => t.close())
// A claim takes "the next job": one left queued by a test before must not be it.
beforeEach(async () => {
  await t.database.db.execute(
    sql`UPDATE jobs SET state = 'FINISHED', result = 'CANCELLED' WHERE state <> 'FINISHED'`,
  )
})

interface JobSpec {
  /** Position in the pipeline's job list (the jobs are inserted in this order). */
  key: string
  jobType: string
  state: string
  result?: string | null
  /** Key of the parent job; none: a root. */
  parent?: string
  /** Key of the job this one retries. */
  retryOf?: string
  progress?: { phase: number; processed: number; total: number | null }
  /** The job belongs to another pipeline, which this one joined. */
  joined?: boolean
}

interface Derived {
  status: string
  progress: {
    phase: number
    phasesTotal: number
    phaseLabel: string
    done: boolean
    hasError: boolean
    processed: number
    total: number | null
  }
  finished: boolean
}

let year = 2100
/** Inserts a pipeline with the given jobs, derives it, and returns what was written. */
async function derive(jobs: JobSpec[], options: { cancelRequested?: boolean } = {}) {
  return t.database.db.transaction(async (tx) => {
    const y = --year
    const insertPipeline = async () => {
      const [p] = await rows<{ id: number }>(
        tx,
        sql`INSERT INTO pipelines (institution_id, kind, module_type_id, year, progress,
                                   cancel_requested_at)
            VALUES (${tenant.institutionId}, 'data', 2, ${y}, '{}'::jsonb,
                    ${options.cancelRequested ? sql`now()` : sql`NULL`})
            RETURNING id`,
      )
      return p!.id
    }
    const pipelineId = await insertPipeline()
    const other = await insertPipeline()
    const ids = new Map<string, number>()
    for (const j of jobs) {
      const owner = j.joined ? other : pipelineId
      const meta = j.progress ? { progress: j.progress } : {}
      const [row] = await rows<{ id: number }>(
        tx,
        sql`INSERT INTO jobs (pipeline_id, parent_job_id, retry_of, job_type, institution_id,
                              module_type_id, data_entry_type_id, year, target_type,
                              ingestion_method, state, result, meta)
            VALUES (${owner}, ${j.parent ? ids.get(j.parent)! : null},
                    ${j.retryOf ? ids.get(j.retryOf)! : null}, ${j.jobType}, ${tenant.institutionId},
                    2, 20, ${y}, 'data_entries', 'csv', ${j.state}, ${j.result ?? null},
                    ${JSON.stringify(meta)}::jsonb)
            RETURNING id`,
      )
      ids.set(j.key, row!.id)
      await tx.execute(
        sql`INSERT INTO pipeline_jobs (pipeline_id, job_id) VALUES (${pipelineId}, ${row!.id})`,
      )
    }
    const derived = await refreshPipelinesOfJobs(tx, [], [], [pipelineId])
    expect(derived).toEqual([pipelineId])
    const [p] = await rows<{ status: string; progress: Derived['progress']; finished: boolean }>(
      tx,
      sql`SELECT status, progress, finished_at IS NOT NULL AS finished FROM pipelines
          WHERE id = ${pipelineId}`,
    )
    return p! as Derived
  })
}

const job = (
  key: string,
  jobType: string,
  state: string,
  result: string | null = null,
  extra: Partial<JobSpec> = {},
): JobSpec => ({ key, jobType, state, result, ...extra })

describe('derive_pipelines, the rules', () => {
  it.each([
    ['nothing started', [job('a', 'csv_ingest', 'QUEUED')], 'NOT_STARTED', 1],
    ['the root running', [job('a', 'csv_ingest', 'RUNNING')], 'RUNNING', 1],
    [
      'the root done, its child pending',
      [
        job('a', 'csv_ingest', 'FINISHED', 'SUCCESS'),
        job('b', 'emission_recalc', 'QUEUED', null, { parent: 'a' }),
      ],
      'RUNNING',
      2,
    ],
    [
      'all succeeded',
      [
        job('a', 'emission_recalc', 'FINISHED', 'SUCCESS'),
        job('b', 'aggregation', 'FINISHED', 'SUCCESS', { parent: 'a' }),
      ],
      'SUCCESS',
      3,
    ],
    [
      'a warning',
      [
        job('a', 'csv_ingest', 'FINISHED', 'WARNING'),
        job('b', 'aggregation', 'FINISHED', 'SUCCESS', { parent: 'a' }),
      ],
      'PARTIAL',
      3,
    ],
    [
      'a child error',
      [
        job('a', 'csv_ingest', 'FINISHED', 'SUCCESS'),
        job('b', 'emission_recalc', 'FINISHED', 'ERROR', { parent: 'a' }),
      ],
      'PARTIAL',
      2,
    ],
    ['the root failed', [job('a', 'csv_ingest', 'FINISHED', 'ERROR')], 'FAILED', 1],
    ['a cancel', [job('a', 'csv_ingest', 'FINISHED', 'CANCELLED')], 'CANCELLED', 1],
  ] as const)('%s: %s, phase %s', async (_what, jobs, status, phase) => {
    const d = await derive([...jobs])
    expect(d.status).toBe(status)
    expect(d.progress.phase).toBe(phase)
    expect(d.progress.phaseLabel).toBe(phaseLabels[phase])
    const finished = !jobs.some((j) => j.state !== 'FINISHED')
    expect(d.progress.done).toBe(finished)
    expect(d.finished).toBe(finished)
  })

  it('reports the running jobs’ rows in the lowest unfinished phase only', async () => {
    const d = await derive([
      job('a', 'csv_ingest', 'RUNNING', null, {
        progress: { phase: 1, processed: 250, total: 1000 },
      }),
      job('b', 'csv_ingest', 'RUNNING', null, {
        progress: { phase: 1, processed: 50, total: null },
      }),
      job('c', 'emission_recalc', 'RUNNING', null, {
        progress: { phase: 2, processed: 7, total: 9 },
      }),
    ])
    expect(d.progress).toEqual({
      phase: 1,
      phasesTotal: 3,
      phaseLabel: 'Inserting data',
      done: false,
      hasError: false,
      processed: 300,
      total: 1000,
    })
  })

  it('has no rows to report once finished, nor a total before one is known', async () => {
    expect(
      (
        await derive([
          job('a', 'csv_ingest', 'RUNNING', null, {
            progress: { phase: 1, processed: 5, total: null },
          }),
        ])
      ).progress,
    ).toMatchObject({ processed: 5, total: null })
    expect((await derive([job('a', 'csv_ingest', 'FINISHED', 'SUCCESS')])).progress).toMatchObject({
      processed: 0,
      total: null,
      done: true,
    })
  })

  it('no longer counts a job an admin retried', async () => {
    const d = await derive([
      job('a', 'aggregation', 'FINISHED', 'ERROR'),
      job('b', 'aggregation', 'FINISHED', 'SUCCESS', { retryOf: 'a' }),
    ])
    expect(d).toMatchObject({ status: 'SUCCESS', progress: { hasError: false } })
  })

  it('ends CANCELLED once a cancel was requested, even if the remaining jobs succeeded', async () => {
    expect(
      (await derive([job('a', 'csv_ingest', 'FINISHED', 'SUCCESS')], { cancelRequested: true }))
        .status,
    ).toBe('CANCELLED')
    expect(
      (await derive([job('a', 'csv_ingest', 'RUNNING')], { cancelRequested: true })).status,
    ).toBe('RUNNING')
  })

  it('counts a joined job of another pipeline as its own, but not as its root', async () => {
    const d = await derive([
      job('a', 'csv_ingest', 'FINISHED', 'SUCCESS'),
      job('b', 'aggregation', 'FINISHED', 'ERROR', { joined: true, parent: 'a' }),
    ])
    expect(d.status).toBe('PARTIAL')
  })

  it('takes a joined job as the root when the pipeline has none of its own', async () => {
    const d = await derive([job('a', 'aggregation', 'FINISHED', 'ERROR', { joined: true })])
    expect(d.status).toBe('FAILED')
    expect(d.progress).toMatchObject({ phase: 3, hasError: true })
  })

  it('gives a pipeline without jobs phase 1, finished', async () => {
    const d = await derive([])
    expect(d).toMatchObject({ status: 'SUCCESS', finished: true, progress: { phase: 1 } })
  })

  it('has the phases and labels of the shared job tables', async () => {
    const found = await rows<{ job_type: string; phase: number; label: string }>(
      t.database.db,
      sql`SELECT t AS job_type, job_phase(t) AS phase, phase_label(job_phase(t)) AS label
          FROM unnest(${`{${jobTypes.join(',')}}`}::text[]) t`,
    )
    expect(found).toEqual(
      jobTypes.map((jobType) => ({
        job_type: jobType,
        phase: jobPhase[jobType],
        label: phaseLabels[jobPhase[jobType]],
      })),
    )
  })
})

describe('derive_pipelines, in the engine', () => {
  it('takes a change the calling statement makes from its overrides', async () => {
    const { jobId, pipelineId } = await startPipeline(
      t.database,
      tenant,
      recalcRequest(20, 2, 2081),
    )
    const before = await pipelineRow(t.database.db, pipelineId)
    expect(before.status).toBe('NOT_STARTED')
    await t.database.db.transaction((tx) =>
      refreshPipelinesOfJobs(
        tx,
        [jobId],
        [{ jobId, state: 'RUNNING', progress: { phase: 2, processed: 3, total: 4 } }],
      ),
    )
    const after = await pipelineRow(t.database.db, pipelineId)
    expect(after.status).toBe('RUNNING')
    expect(after.progress).toMatchObject({ phase: 2, processed: 3, total: 4 })
    expect(after.version).toBe(before.version + 1)
  })

  it('leaves the pipelines of a claimed job as a full derivation would, joined ones included', async () => {
    // A pending recalculation, then a second pipeline whose request joins it (dedup).
    const first = await startPipeline(t.database, tenant, recalcRequest(20, 2, 2083))
    const second = await startPipeline(t.database, tenant, recalcRequest(20, 2, 2083))
    expect(second.jobId).toBe(first.jobId)
    const ids = [first.pipelineId, second.pipelineId]
    const read = () =>
      rows<{ id: number; status: string; progress: unknown; version: number }>(
        t.database.db,
        sql`SELECT id, status, progress, version FROM pipelines
            WHERE id = ANY(${`{${ids.join(',')}}`}::int[]) ORDER BY id`,
      )
    const before = await read()
    expect(before.map((p) => p.status)).toEqual(['NOT_STARTED', 'NOT_STARTED'])

    const claimed = await claimJob(t.database.db, 'claimer:1:x', ['emission_recalc'])
    expect(claimed?.id).toBe(first.jobId)
    const afterClaim = await read()
    expect(afterClaim.map((p) => p.status)).toEqual(['RUNNING', 'RUNNING'])
    expect(afterClaim.map((p) => p.version)).toEqual(before.map((p) => p.version + 1))

    await t.database.db.transaction((tx) => refreshPipelinesOfJobs(tx, [first.jobId]))
    const derived = await read()
    expect(derived.map(({ status, progress }) => ({ status, progress }))).toEqual(
      afterClaim.map(({ status, progress }) => ({ status, progress })),
    )
  })

  it.skipIf(testEngine === 'pglite')(
    'waits for a transaction that holds the pipeline, then sees its jobs (PostgreSQL: PGlite runs one transaction at a time)',
    async () => {
      const { jobId, pipelineId } = await startPipeline(
        t.database,
        tenant,
        recalcRequest(20, 2, 2082),
      )
      const claimed = gate()
      const release = gate()
      // A claim, which derives the pipeline and so holds its lock until released.
      const holder = t.database.db.transaction(async (tx) => {
        const job = await claimJob(tx, 'holder:1:x', ['emission_recalc'])
        expect(job?.id).toBe(jobId)
        claimed.open()
        await release.promise
      })
      await claimed.promise
      let derived: number[] | undefined
      // A derivation that knows nothing of the claim: it must not write NOT_STARTED over it.
      const deriver = t.database.db.transaction(async (tx) => {
        derived = await refreshPipelinesOfJobs(tx, [jobId])
      })
      await new Promise((r) => setTimeout(r, 200))
      expect(derived).toBeUndefined()
      release.open()
      await holder
      await deriver
      expect(derived).toEqual([pipelineId])
      expect(await pipelineRow(t.database.db, pipelineId)).toMatchObject({
        status: 'RUNNING',
        progress: { phase: 2, done: false },
      })
    },
  )
})

describe('current_key_lock, the lock of an is_current key', () => {
  it('is the hash of the key as text, a missing data-entry type counted as 0', async () => {
    const [found] = await rows<{ lock: number; expected: number }>(
      t.database.db,
      sql`SELECT current_key_lock(7, 2, NULL, 2024, 'aggregation', 'data_entries') AS lock,
                 hashtext('current:7:2:0:2024:aggregation:data_entries') AS expected`,
    )
    expect(found!.lock).toBe(found!.expected)
  })

  it('is inlined by the planner, not called as a function on each finish', async () => {
    // A function that is not inlined shows by name in the plan's output; an inlined one shows
    // as the expression it stands for.
    const plan = await rows<{ 'QUERY PLAN': string }>(
      t.database.db,
      sql`EXPLAIN (VERBOSE, COSTS OFF)
          SELECT current_key_lock(institution_id, module_type_id, data_entry_type_id, year,
                                  job_type, target_type)
          FROM jobs`,
    )
    const text = plan.map((r) => r['QUERY PLAN']).join('\n')
    expect(text).toMatch(/hashtext\(/)
    expect(text).not.toMatch(/current_key_lock\(/)
  })
})
