import { sql, type SQL } from 'drizzle-orm'
import type { JobType } from '@carbon-sync/shared'
import { rows, type Db } from '../client.ts'
import { dedupPredicate, pendingPredicate, type DedupRule } from '../dedup-rules.ts'
import type { JobMeta, jobs } from '../schema/jobs.ts'

export type NewJob = Pick<
  typeof jobs.$inferInsert,
  | 'pipelineId'
  | 'parentJobId'
  | 'retryOf'
  | 'jobType'
  | 'institutionId'
  | 'moduleTypeId'
  | 'dataEntryTypeId'
  | 'year'
  | 'targetType'
  | 'ingestionMethod'
  | 'uploadId'
  | 'createdBy'
> & { meta: JobMeta }

/** Channel that wakes idle workers when a job becomes claimable. */
export const jobQueuedChannel = 'carbon_sync_job_queued'

/** A new job's values in the order of `columns`; the pipeline id is SQL (a value or a column). */
function values(job: Omit<NewJob, 'pipelineId'>, pipelineId: SQL): SQL {
  return sql`${pipelineId}, ${job.parentJobId ?? null}::int, ${job.retryOf ?? null}::int, ${job.jobType},
    ${job.institutionId}::int, ${job.moduleTypeId}::int, ${job.dataEntryTypeId ?? null}::int, ${job.year}::int,
    ${job.targetType}, ${job.ingestionMethod}, ${job.uploadId ?? null}::int, ${job.createdBy ?? null}::int,
    ${JSON.stringify(job.meta)}::jsonb, 'QUEUED'`
}

const columns =
  sql.raw(`(pipeline_id, parent_job_id, retry_of, job_type, institution_id, module_type_id,
  data_entry_type_id, year, target_type, ingestion_method, upload_id, created_by, meta, state)`)

/**
 * What a new job's statement does besides the INSERT of `ins`: link the job to its pipeline,
 * append its QUEUED event, and wake the workers (the notification is delivered on commit).
 */
function afterInsert(pipelineId: SQL, institutionId: number, message: string): SQL {
  return sql`
    , link AS (
      INSERT INTO pipeline_jobs (pipeline_id, job_id) SELECT ${pipelineId}, id FROM ins
    ), event AS (
      INSERT INTO job_events (job_id, pipeline_id, institution_id, state, message)
      SELECT id, ${pipelineId}, ${institutionId}, 'QUEUED', ${message} FROM ins
    )
    SELECT id, ${pipelineId} AS pipeline_id, pg_notify(${jobQueuedChannel}, id::text) FROM ins`
}

/** Inserts a QUEUED job, linked to its pipeline, with its event (`message`), in one statement. */
export async function insertJob(tx: Db, job: NewJob, message: string): Promise<number> {
  const [row] = await rows<{ id: number }>(
    tx,
    sql`
      WITH ins AS (INSERT INTO jobs ${columns} VALUES (${values(job, sql`${job.pipelineId}`)}) RETURNING id)
      ${afterInsert(sql`${job.pipelineId}`, job.institutionId, message)}
    `,
  )
  return row!.id
}

/**
 * Inserts a QUEUED job as insertJob does, unless a pending job of the same scope exists: the
 * partial unique index of the rule decides, atomically. Returns undefined when one exists.
 */
export async function insertJobUnlessPending(
  tx: Db,
  job: NewJob,
  rule: DedupRule,
  message: string,
): Promise<number | undefined> {
  const target = sql.raw(
    `(${rule.scope.join(', ')}) WHERE ${dedupPredicate(job.jobType as JobType)}`,
  )
  const [row] = await rows<{ id: number }>(
    tx,
    sql`
      WITH ins AS (
        INSERT INTO jobs ${columns} VALUES (${values(job, sql`${job.pipelineId}`)})
        ON CONFLICT ${target} DO NOTHING
        RETURNING id
      )
      ${afterInsert(sql`${job.pipelineId}`, job.institutionId, message)}
    `,
  )
  return row?.id
}

/**
 * Finds the pending job of a scope and locks it until the end of the transaction, so that it
 * cannot be claimed before the data of the joining request is committed.
 */
export async function lockPendingJob(
  tx: Db,
  job: NewJob,
  rule: DedupRule,
): Promise<number | undefined> {
  const scopeValue: Record<string, number | null> = {
    institution_id: job.institutionId,
    module_type_id: job.moduleTypeId,
    data_entry_type_id: job.dataEntryTypeId ?? null,
    year: job.year,
  }
  const conditions = rule.scope.map((c) => sql`${sql.raw(c)} = ${scopeValue[c]}`)
  const [row] = await rows<{ id: number }>(
    tx,
    sql`
      SELECT id FROM jobs
      WHERE job_type = ${job.jobType} AND ${sql.raw(pendingPredicate)} AND ${sql.join(conditions, sql` AND `)}
      FOR NO KEY UPDATE
    `,
  )
  return row?.id
}

/** Records that a job counts for a pipeline (its own, or one that joined it). */
export async function linkJobToPipeline(tx: Db, pipelineId: number, jobId: number): Promise<void> {
  await rows(
    tx,
    sql`
      INSERT INTO pipeline_jobs (pipeline_id, job_id) VALUES (${pipelineId}, ${jobId})
      ON CONFLICT DO NOTHING RETURNING job_id
    `,
  )
}

export interface NewPipeline {
  institutionId: number
  kind: 'data' | 'factors' | 'reference' | 'recalculation' | 'seed'
  moduleTypeId: number
  dataEntryTypeId: number | null
  year: number
  createdBy: number | null
}

/**
 * Creates a pipeline and its root job (not deduplicated) in one statement: the pipeline starts
 * in the state its derivation gives for one new QUEUED job (NOT_STARTED, in the job's phase),
 * the job is linked, its QUEUED event appended, and idle workers are woken on commit. Nobody
 * watches a pipeline before it exists, so the pipeline itself is announced by its first
 * change. Atomic on its own: a caller with nothing else to store needs no transaction.
 */
export async function insertPipelineWithJob(
  db: Db,
  p: NewPipeline,
  job: Omit<NewJob, 'pipelineId'>,
): Promise<{ pipelineId: number; jobId: number }> {
  const [row] = await rows<{ pipeline_id: number; id: number }>(
    db,
    sql`
      WITH pipeline AS (
        INSERT INTO pipelines (institution_id, kind, module_type_id, data_entry_type_id, year, created_by, progress)
        VALUES (${p.institutionId}, ${p.kind}, ${p.moduleTypeId}, ${p.dataEntryTypeId}, ${p.year}, ${p.createdBy},
                jsonb_build_object('phase', job_phase(${job.jobType}), 'phasesTotal', 3,
                                   'phaseLabel', phase_label(job_phase(${job.jobType})), 'done', false,
                                   'hasError', false, 'processed', 0, 'total', null))
        RETURNING id
      ), ins AS (
        INSERT INTO jobs ${columns} SELECT ${values(job, sql`pipeline.id`)} FROM pipeline
        RETURNING id, pipeline_id
      )
      ${afterInsert(sql.raw('pipeline_id'), job.institutionId, 'queued')}
    `,
  )
  return { pipelineId: row!.pipeline_id, jobId: row!.id }
}

export async function insertPipeline(tx: Db, p: NewPipeline): Promise<number> {
  const progress = {
    phase: 1,
    phasesTotal: 3,
    phaseLabel: 'Inserting data',
    done: false,
    hasError: false,
    processed: 0,
    total: null,
  }
  const [row] = await rows<{ id: number }>(
    tx,
    sql`
      INSERT INTO pipelines (institution_id, kind, module_type_id, data_entry_type_id, year, created_by, progress)
      VALUES (${p.institutionId}, ${p.kind}, ${p.moduleTypeId}, ${p.dataEntryTypeId}, ${p.year}, ${p.createdBy},
              ${JSON.stringify(progress)}::jsonb)
      RETURNING id
    `,
  )
  return row!.id
}
