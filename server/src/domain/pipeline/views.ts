import type { Job, JobEvent, Pipeline } from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import { isoTime, type JobRow } from '../../db/rows.ts'
import { findJob, jobsOfPipeline, type JobEventRow } from '../../db/scoped/jobs.ts'
import { findPipeline, type PipelineRow } from '../../db/scoped/pipelines.ts'
import { found } from '../access.ts'
import type { Scope } from '../auth/scope.ts'

/**
 * The API shapes of jobs and pipelines (SPEC §6.1), built from rows the caller may see.
 *
 * A job's first row errors and warnings quote the cells of the file (names, ids): a viewer tied
 * to one unit gets them only for uploads made for that unit (SPEC §2: no other unit's personal
 * data).
 */
export interface Viewer {
  /** The unit the viewer is tied to, or null for the whole institution. */
  unitId: number | null
}

const everything: Viewer = { unitId: null }

function maySeeRows(viewer: Viewer, job: JobRow): boolean {
  return viewer.unitId === null || job.meta.unitId === viewer.unitId
}

const noCounts = { rowsTotal: 0, rowsInserted: 0, rowsFailed: 0, rowsWithoutEmission: 0 }

export function jobView(job: JobRow, viewer: Viewer = everything): Job {
  return {
    id: job.id,
    pipelineId: job.pipelineId,
    parentJobId: job.parentJobId,
    retryOf: job.retryOf,
    jobType: job.jobType,
    moduleTypeId: job.moduleTypeId,
    dataEntryTypeId: job.dataEntryTypeId,
    year: job.year,
    state: job.state,
    result: job.result,
    statusMessage: job.statusMessage,
    attempts: job.attempts,
    version: job.version,
    progress: job.state === 'RUNNING' ? (job.meta.progress ?? null) : null,
    counts: job.meta.counts ?? noCounts,
    firstErrors: maySeeRows(viewer, job) ? (job.meta.firstErrors ?? []) : [],
    firstWarnings: maySeeRows(viewer, job) ? (job.meta.firstWarnings ?? []) : [],
    warnings: job.meta.warnings ?? [],
    uploadId: job.uploadId,
    createdAt: isoTime(job.createdAt),
    startedAt: isoTime(job.startedAt),
    heartbeatAt: job.state === 'RUNNING' ? isoTime(job.heartbeatAt) : null,
    finishedAt: isoTime(job.finishedAt),
  }
}

export function pipelineView(
  p: PipelineRow,
  jobs: readonly JobRow[],
  viewer: Viewer = everything,
): Pipeline {
  return {
    id: p.id,
    kind: p.kind,
    status: p.status,
    version: p.version,
    moduleTypeId: p.moduleTypeId,
    dataEntryTypeId: p.dataEntryTypeId,
    year: p.year,
    progress: p.progress,
    jobs: jobs.map((j) => jobView(j, viewer)),
    createdBy: p.createdBy,
    createdAt: isoTime(p.createdAt),
    finishedAt: isoTime(p.finishedAt),
  }
}

export function jobEventView(e: JobEventRow): JobEvent {
  return {
    id: e.id,
    jobId: e.job_id,
    pipelineId: e.pipeline_id,
    state: e.state as JobEvent['state'],
    result: e.result as JobEvent['result'],
    pod: e.pod,
    message: e.message,
    at: isoTime(e.at),
  }
}

/** A snapshot of one of the caller's pipelines; 403 or 404 otherwise. */
export async function pipelineSnapshot(db: Db, scope: Scope, id: number): Promise<Pipeline> {
  const p = await found(db, scope, 'pipelines', id, await findPipeline(db, scope, id))
  return pipelineView(p, await jobsOfPipeline(db, scope, id), scope)
}

/** One of the caller's jobs; 403 or 404 otherwise. */
export async function jobSnapshot(db: Db, scope: Scope, id: number): Promise<Job> {
  return jobView(await found(db, scope, 'jobs', id, await findJob(db, scope, id)), scope)
}
