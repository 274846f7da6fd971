import type { IngestionMethod, JobType, TargetType } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import { dedupRules } from '../../db/dedup-rules.ts'
import {
  insertJob,
  insertJobUnlessPending,
  insertPipeline,
  insertPipelineWithJob,
  linkJobToPipeline,
  lockPendingJob,
  type NewJob,
  type NewPipeline,
} from '../../db/queries/enqueue-job.ts'
import type { JobMeta } from '../../db/schema/jobs.ts'
import { refreshPipelinesOfJobs } from './refresh-pipelines.ts'

/** What a caller asks for; the pipeline, tenant and parent come from the context. */
export interface JobRequest {
  jobType: JobType
  moduleTypeId: number
  dataEntryTypeId: number | null
  year: number
  targetType: TargetType
  ingestionMethod: IngestionMethod
  uploadId?: number | null
  retryOf?: number | null
  meta?: JobMeta
}

export interface RequestContext {
  pipelineId: number
  institutionId: number
  createdBy: number | null
  parentJobId: number | null
}

/**
 * Adds a job to a pipeline, or joins the pending job of the same scope (SPEC §5.3).
 *
 * A deduplicated request first tries to insert; the partial unique index refuses it if a
 * pending job of the scope exists, and the request then locks and joins that job. If that job
 * was claimed in between (it is no longer pending), the loop inserts again: a job running on
 * older data thus always gets one pending follow-up, and no update is lost.
 */
export async function requestJob(
  tx: Db,
  ctx: RequestContext,
  req: JobRequest,
): Promise<{ jobId: number; joined: boolean }> {
  const job: NewJob = { pipelineId: ctx.pipelineId, ...jobRow(ctx, req) }
  const rule = dedupRules[req.jobType]
  const message = req.retryOf
    ? `retry of job ${req.retryOf}`
    : ctx.parentJobId
      ? `after job ${ctx.parentJobId}`
      : 'queued'
  for (let attempt = 0; attempt < 10; attempt++) {
    const id = rule
      ? await insertJobUnlessPending(tx, job, rule, message)
      : await insertJob(tx, job, message)
    if (id !== undefined) return { jobId: id, joined: false }
    const pending = await lockPendingJob(tx, job, rule!)
    if (pending !== undefined) {
      await linkJobToPipeline(tx, ctx.pipelineId, pending)
      return { jobId: pending, joined: true }
    }
  }
  throw new Error(`could not enqueue ${req.jobType}: the pending job of its scope kept changing`)
}

/** The row of a requested job, but for the pipeline it is created in. */
function jobRow(
  ctx: Omit<RequestContext, 'pipelineId'>,
  req: JobRequest,
): Omit<NewJob, 'pipelineId'> {
  return {
    parentJobId: ctx.parentJobId,
    retryOf: req.retryOf ?? null,
    jobType: req.jobType,
    institutionId: ctx.institutionId,
    moduleTypeId: req.moduleTypeId,
    dataEntryTypeId: req.dataEntryTypeId,
    year: req.year,
    targetType: req.targetType,
    ingestionMethod: req.ingestionMethod,
    uploadId: req.uploadId ?? null,
    createdBy: ctx.createdBy,
    meta: req.meta ?? {},
  }
}

/**
 * Creates a pipeline with its root job, in its first derived state. A root that is not
 * deduplicated is one statement (insertPipelineWithJob), atomic by itself; a deduplicated one
 * may join the pending job of its scope, and the pipeline is then derived from that job.
 */
export async function createPipeline(
  tx: Db,
  pipeline: NewPipeline,
  root: JobRequest,
): Promise<{ pipelineId: number; jobId: number; joined: boolean }> {
  if (!dedupRules[root.jobType]) {
    const created = await insertPipelineWithJob(
      tx,
      pipeline,
      jobRow(
        { institutionId: pipeline.institutionId, createdBy: pipeline.createdBy, parentJobId: null },
        root,
      ),
    )
    return { ...created, joined: false }
  }
  const pipelineId = await insertPipeline(tx, pipeline)
  const { jobId, joined } = await requestJob(
    tx,
    {
      pipelineId,
      institutionId: pipeline.institutionId,
      createdBy: pipeline.createdBy,
      parentJobId: null,
    },
    root,
  )
  await refreshPipelinesOfJobs(tx, [jobId], [], [pipelineId])
  return { pipelineId, jobId, joined }
}
