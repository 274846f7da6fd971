import type { Db } from '../../db/client.ts'
import {
  lockPipelinesOfJobs,
  readPipelineJobStates,
  writePipelineStates,
  type DerivedPipelineState,
  type LockedPipelines,
  type PipelineJobState,
} from '../../db/queries/pipeline-state.ts'
import { derivePipeline } from './derive-status.ts'

/** A change to a job not yet written, so that the pipeline can be derived before the job's own UPDATE. */
export type JobOverride = Pick<PipelineJobState, 'jobId'> &
  Partial<Pick<PipelineJobState, 'state' | 'result' | 'progress'>>

/**
 * Re-derives every pipeline the given jobs belong to (and the `extraPipelineIds`), inside the
 * caller's transaction, as its last step before the commit (or before the finishing
 * compare-and-set). Returns the pipeline ids.
 */
export async function refreshPipelinesOfJobs(
  tx: Db,
  jobIds: readonly number[],
  overrides: readonly JobOverride[] = [],
  extraPipelineIds: readonly number[] = [],
): Promise<number[]> {
  const locked = await lockPipelinesOfJobs(tx, jobIds, extraPipelineIds)
  await deriveLockedPipelines(tx, locked, overrides)
  return locked.pipelines.map((p) => p.id)
}

/**
 * Derives pipelines the transaction has just locked (by `lockPipelinesOfJobs`) and writes
 * them, from the jobs the lock read, or read again when a pipeline changed while the lock waited.
 */
export async function deriveLockedPipelines(
  tx: Db,
  locked: LockedPipelines,
  overrides: readonly JobOverride[] = [],
): Promise<void> {
  await writePipelineStates(tx, await derivedStates(tx, locked, overrides))
}

/** The derived states of locked pipelines, for a statement that writes them with more. */
export async function derivedStates(
  tx: Db,
  locked: LockedPipelines,
  overrides: readonly JobOverride[] = [],
): Promise<DerivedPipelineState[]> {
  const { pipelines } = locked
  if (pipelines.length === 0) return []
  const byJob = new Map(overrides.map((o) => [o.jobId, o]))
  const jobs =
    locked.jobs ??
    (await readPipelineJobStates(
      tx,
      pipelines.map((p) => p.id),
    ))
  const states = jobs.map((s) => {
    const o = byJob.get(s.jobId)
    return o ? { ...s, ...o } : s
  })
  return pipelines.map((p) => ({
    id: p.id,
    ...derivePipeline(
      p.id,
      states.filter((s) => s.pipelineId === p.id),
      p.cancelRequested,
    ),
  }))
}
