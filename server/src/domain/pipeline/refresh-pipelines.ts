import type { Db } from '../../db/client.ts'
import { derivePipelines, type JobOverride } from '../../db/queries/pipeline-state.ts'

export type { JobOverride }

/**
 * Re-derives every pipeline the given jobs belong to (and the `extraPipelineIds`), inside the
 * caller's transaction, as its last step before the commit: the status and progress rules of
 * SPEC §5.5 run in the database (`derive_pipelines`, migration 0009), where the jobs are.
 * Returns the pipeline ids.
 */
export function refreshPipelinesOfJobs(
  tx: Db,
  jobIds: readonly number[],
  overrides: readonly JobOverride[] = [],
  extraPipelineIds: readonly number[] = [],
): Promise<number[]> {
  return derivePipelines(tx, jobIds, extraPipelineIds, overrides)
}
