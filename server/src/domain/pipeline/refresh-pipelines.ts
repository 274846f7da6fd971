import type { Db } from '../../db/client.ts'
import {
  lockPipelinesOfJobs,
  readPipelineJobStates,
  writePipelineStates,
  type LockedPipeline,
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
  return locked.map((p) => p.id)
}

/**
 * Derives pipelines the transaction has already locked (by `lockPipelinesOfJobs`, or by the
 * claim, which locks them in its own statement): reads their jobs in a statement of its own,
 * after the lock, so that no change committed while it waited for the lock is missed.
 */
export async function deriveLockedPipelines(
  tx: Db,
  locked: readonly LockedPipeline[],
  overrides: readonly JobOverride[] = [],
): Promise<void> {
  if (locked.length === 0) return
  const byJob = new Map(overrides.map((o) => [o.jobId, o]))
  const states = (
    await readPipelineJobStates(
      tx,
      locked.map((p) => p.id),
    )
  ).map((s) => {
    const o = byJob.get(s.jobId)
    return o ? { ...s, ...o } : s
  })
  await writePipelineStates(
    tx,
    locked.map((p) => ({
      id: p.id,
      ...derivePipeline(
        p.id,
        states.filter((s) => s.pipelineId === p.id),
        p.cancelRequested,
      ),
    })),
  )
}
