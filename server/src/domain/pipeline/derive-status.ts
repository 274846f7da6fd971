import {
  jobPhase,
  phaseLabels,
  type JobType,
  type PipelineProgress,
  type PipelineStatus,
} from '@carbon-sync/shared'
import type { PipelineJobState } from '../../db/queries/pipeline-state.ts'

/**
 * A pipeline's status and progress, derived from its jobs (SPEC §5.5). Pure: the same jobs
 * always give the same result, whoever computes it.
 *
 * - A job that an admin retried (another job has `retryOf` = it) no longer counts.
 * - Any job not finished: NOT_STARTED if none has started yet, else RUNNING.
 * - All finished: CANCELLED if cancelled (or cancel requested), FAILED if the root ended in
 *   ERROR, PARTIAL if any job ended in WARNING or a child in ERROR, SUCCESS otherwise.
 */
export interface DerivedPipeline {
  status: PipelineStatus
  progress: PipelineProgress
  finished: boolean
}

type JobView = Pick<
  PipelineJobState,
  | 'jobId'
  | 'ownerPipelineId'
  | 'jobType'
  | 'parentJobId'
  | 'retryOf'
  | 'state'
  | 'result'
  | 'progress'
>

export function derivePipeline(
  pipelineId: number,
  jobs: readonly JobView[],
  cancelRequested: boolean,
): DerivedPipeline {
  const retried = new Set(jobs.map((j) => j.retryOf).filter((id): id is number => id !== null))
  const live = jobs.filter((j) => !retried.has(j.jobId))
  const own = live.filter((j) => j.ownerPipelineId === pipelineId)
  const root = own.find((j) => j.parentJobId === null) ?? own[0] ?? live[0]
  const pending = live.filter((j) => j.state === 'NOT_STARTED' || j.state === 'QUEUED')
  const unfinished = live.filter((j) => j.state !== 'FINISHED')
  const finished = unfinished.length === 0
  const hasError = live.some((j) => j.result === 'ERROR')
  const phaseOf = (j: JobView) => jobPhase[j.jobType as JobType] ?? 1

  let status: PipelineStatus
  if (!finished) {
    const started = live.some((j) => j.state === 'RUNNING' || j.state === 'FINISHED')
    status = started || pending.length < unfinished.length ? 'RUNNING' : 'NOT_STARTED'
  } else if (cancelRequested || live.some((j) => j.result === 'CANCELLED')) {
    status = 'CANCELLED'
  } else if (root?.result === 'ERROR') {
    status = 'FAILED'
  } else if (hasError || live.some((j) => j.result === 'WARNING')) {
    status = 'PARTIAL'
  } else {
    status = 'SUCCESS'
  }

  let phase: 1 | 2 | 3
  let processed = 0
  let total: number | null = null
  if (!finished) {
    phase = Math.min(...unfinished.map(phaseOf)) as 1 | 2 | 3
    for (const j of unfinished) {
      if (phaseOf(j) !== phase || j.state !== 'RUNNING' || !j.progress) continue
      processed += j.progress.processed
      total = j.progress.total === null ? total : (total ?? 0) + j.progress.total
    }
  } else {
    phase = live.length === 0 ? 1 : (Math.max(...live.map(phaseOf)) as 1 | 2 | 3)
  }
  return {
    status,
    finished,
    progress: {
      phase,
      phasesTotal: 3,
      phaseLabel: phaseLabels[phase],
      done: finished,
      hasError,
      processed,
      total,
    },
  }
}
