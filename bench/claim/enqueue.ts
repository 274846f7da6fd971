import type { WorkerUtils } from 'graphile-worker'
import type { Sql } from 'postgres'
import type { Database } from '@carbon-sync/server/src/db/client.ts'
import { createPipeline } from '@carbon-sync/server/src/domain/pipeline/enqueue.ts'

/**
 * Trivial jobs for both queues. Ours are csv_ingest jobs with meta {} (not deduplicated), each
 * in a pipeline of its own as every job must be; their years cycle over 100 values so that
 * two jobs finishing at once rarely share an `is_current` key (whose hand-over is serialised
 * by an advisory lock): the benchmark measures the queue, not contention on one scope.
 * graphile-worker's are `noop` jobs with an empty payload.
 */
export const moduleTypeId = 2
export const dataEntryTypeId = 20
export const yearOf = (i: number) => 2000 + (i % 100)

/**
 * One job the way the application enqueues it (createPipeline); its id. With nothing else to
 * store alongside (an upload stores its file in the same transaction), the call is atomic by
 * itself, as graphile-worker's addJob is.
 */
export async function enqueueOurs(
  database: Database,
  institutionId: number,
  i: number,
): Promise<string> {
  const { jobId } = await createPipeline(
    database.db,
    {
      institutionId,
      kind: 'data',
      moduleTypeId,
      dataEntryTypeId,
      year: yearOf(i),
      createdBy: null,
    },
    {
      jobType: 'csv_ingest',
      moduleTypeId,
      dataEntryTypeId,
      year: yearOf(i),
      targetType: 'data_entries',
      ingestionMethod: 'csv',
      meta: {},
    },
  )
  return String(jobId)
}

export async function enqueueGraphile(utils: WorkerUtils): Promise<string> {
  const job = await utils.addJob('noop', {})
  return String(job.id)
}

const initialProgress = JSON.stringify({
  phase: 1,
  phasesTotal: 3,
  phaseLabel: 'Inserting data',
  done: false,
  hasError: false,
  processed: 0,
  total: null,
})

/**
 * `count` QUEUED jobs in bulk, with plain INSERTs, `batch` per transaction: for each, its
 * pipeline (NOT_STARTED), the job, its pipeline_jobs link and its QUEUED event, as
 * createPipeline leaves them (without the NOTIFY: the workers start after). Returns the ids.
 */
export async function insertOurJobs(
  sql: Sql,
  institutionId: number,
  count: number,
  batch = 1000,
): Promise<{ firstId: number; lastId: number }> {
  let firstId = Number.POSITIVE_INFINITY
  let lastId = 0
  for (let offset = 0; offset < count; offset += batch) {
    const n = Math.min(batch, count - offset)
    const [range] = await sql.begin(
      (tx) => tx<{ first: number; last: number }[]>`
        WITH p AS (
          INSERT INTO pipelines (institution_id, kind, module_type_id, data_entry_type_id, year, progress)
          SELECT ${institutionId}, 'data', ${moduleTypeId}, ${dataEntryTypeId}, 2000 + (g % 100),
                 ${initialProgress}::jsonb
          FROM generate_series(${offset}::int, ${offset + n - 1}::int) g
          RETURNING id, year
        ), j AS (
          INSERT INTO jobs (pipeline_id, job_type, institution_id, module_type_id, data_entry_type_id,
                            year, target_type, ingestion_method, meta, state)
          SELECT id, 'csv_ingest', ${institutionId}, ${moduleTypeId}, ${dataEntryTypeId}, year,
                 'data_entries', 'csv', '{}'::jsonb, 'QUEUED'
          FROM p
          RETURNING id, pipeline_id
        ), l AS (
          INSERT INTO pipeline_jobs (pipeline_id, job_id) SELECT pipeline_id, id FROM j
        ), e AS (
          INSERT INTO job_events (job_id, pipeline_id, institution_id, state, message)
          SELECT id, pipeline_id, ${institutionId}, 'QUEUED', 'queued' FROM j
        )
        SELECT min(id)::int AS first, max(id)::int AS last FROM j`,
    )
    firstId = Math.min(firstId, range!.first)
    lastId = Math.max(lastId, range!.last)
  }
  await sql`ANALYZE pipelines, jobs, pipeline_jobs, job_events`
  return { firstId, lastId }
}

export async function insertGraphileJobs(
  sql: Sql,
  utils: WorkerUtils,
  count: number,
  batch = 1000,
): Promise<void> {
  for (let offset = 0; offset < count; offset += batch) {
    const n = Math.min(batch, count - offset)
    await utils.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} })))
  }
  await sql`ANALYZE graphile_worker._private_jobs`
}
