import type { Db } from '../../db/client.ts'
import {
  lockPipelines,
  pipelinesOfJobs,
  readPipelineJobStates,
  writePipelineState,
  type PipelineJobState,
} from '../../db/queries/pipeline-state.ts'
import { derivePipeline } from './derive-status.ts'

/** A change to a job not yet written, so that the pipeline can be derived before the job's own UPDATE. */
export type JobOverride = Pick<PipelineJobState, 'jobId'> &
  Partial<Pick<PipelineJobState, 'state' | 'result' | 'progress'>>

/**
 * Re-derives every pipeline the given jobs belong to, inside the caller's transaction, as its
 * last step before the commit (or before the finishing compare-and-set). Returns the pipeline ids.
 */
export async function refreshPipelinesOfJobs(
  tx: Db,
  jobIds: readonly number[],
  overrides: readonly JobOverride[] = [],
  extraPipelineIds: readonly number[] = [],
): Promise<number[]> {
  const ids = [...new Set([...(await pipelinesOfJobs(tx, jobIds)), ...extraPipelineIds])].sort(
    (a, b) => a - b,
  )
  await refreshPipelines(tx, ids, overrides)
  return ids
}

export async function refreshPipelines(
  tx: Db,
  ids: readonly number[],
  overrides: readonly JobOverride[] = [],
): Promise<void> {
  const locked = await lockPipelines(tx, ids)
  if (locked.length === 0) return
  const byJob = new Map(overrides.map((o) => [o.jobId, o]))
  const states = (await readPipelineJobStates(tx, ids)).map((s) => {
    const o = byJob.get(s.jobId)
    return o ? { ...s, ...o } : s
  })
  for (const p of locked) {
    const jobs = states.filter((s) => s.pipelineId === p.id)
    await writePipelineState(tx, p.id, derivePipeline(p.id, jobs, p.cancelRequested))
  }
}
