import {
  findDataEntryType,
  findModuleType,
  phaseLabels,
  terminalPipelineStatuses,
  type Job,
  type JobType,
  type ModuleStatus,
  type Pipeline,
  type PipelineKind,
  type PipelineStatus,
  type PipelineSummary,
} from '@carbon-sync/shared'

/**
 * Everything the UI says about pipelines, in one place so that the badge, the tooltip, the
 * live region and the tests agree on the words (SPEC §8).
 */

/** What a badge's colour means; the text always says it too (colour is never the only signal). */
export type Tone = 'neutral' | 'info' | 'active' | 'success' | 'warning' | 'error'

export interface BadgeView {
  text: string
  tone: Tone
}

export function isTerminal(status: PipelineStatus): boolean {
  return terminalPipelineStatuses.includes(status)
}

type SummaryLike = Pick<PipelineSummary, 'status' | 'progress'>

/** Text of a pipeline badge; `undefined` means the pipeline is known but no update came yet. */
export function pipelineBadge(summary: SummaryLike | null | undefined): BadgeView {
  if (!summary) return { text: 'Recalculating…', tone: 'active' }
  const { status, progress } = summary
  switch (status) {
    case 'NOT_STARTED':
      return { text: 'Recalculating…', tone: 'active' }
    case 'RUNNING': {
      const phase = progress.phase as 1 | 2 | 3
      return {
        text: `Step ${phase}/3 · ${phaseLabels[phase] ?? progress.phaseLabel}…`,
        tone: 'active',
      }
    }
    case 'SUCCESS':
      return { text: 'Last run succeeded', tone: 'success' }
    case 'PARTIAL':
      return progress.hasError
        ? { text: 'Last recalc failed', tone: 'error' }
        : { text: 'Last run had warnings', tone: 'warning' }
    case 'FAILED':
      return { text: 'Last recalc failed', tone: 'error' }
    case 'CANCELLED':
      return { text: 'Last run cancelled', tone: 'neutral' }
  }
}

/** Badge of a module's own status, when the pipeline badges do not already say it. */
export function moduleStatusBadge(status: ModuleStatus): BadgeView | null {
  switch (status) {
    case 'incomplete':
      return { text: 'Incomplete', tone: 'warning' }
    case 'recalculation_needed':
      return { text: 'Recalculation needed', tone: 'warning' }
    case 'up_to_date':
      return { text: 'Up to date', tone: 'success' }
    // Said by the pipeline badge (active pipeline, or last one failed).
    case 'recalculating':
    case 'failed':
      return null
  }
}

/** The last pipeline of a module ended with a job in ERROR (an upload that failed included). */
export function lastRunFailed(summary: SummaryLike | null | undefined): boolean {
  return !!summary && (summary.status === 'FAILED' || summary.progress.hasError)
}

export const pipelineStatusLabels: Record<PipelineStatus, string> = {
  NOT_STARTED: 'Not started',
  RUNNING: 'Running',
  SUCCESS: 'Succeeded',
  PARTIAL: 'Partial (warnings)',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
}

export const pipelineStatusTone: Record<PipelineStatus, Tone> = {
  NOT_STARTED: 'info',
  RUNNING: 'active',
  SUCCESS: 'success',
  PARTIAL: 'warning',
  FAILED: 'error',
  CANCELLED: 'neutral',
}

export const jobTypeLabels: Record<JobType, string> = {
  csv_ingest: 'CSV ingestion',
  api_ingest: 'API ingestion',
  factor_ingest: 'Factor ingestion',
  reference_ingest: 'Reference data ingestion',
  seed_ingest: 'Demo data ingestion',
  emission_recalc: 'Emission recalculation',
  aggregation: 'Aggregation',
}

export const pipelineKindLabels: Record<PipelineKind, string> = {
  data: 'Upload',
  factors: 'Factor upload',
  reference: 'Reference data upload',
  recalculation: 'Recalculation',
  seed: 'Demo data load',
}

export function moduleLabel(moduleTypeId: number): string {
  return findModuleType(moduleTypeId)?.label ?? `Module ${moduleTypeId}`
}

export function dataEntryTypeLabel(dataEntryTypeId: number | null): string | null {
  if (dataEntryTypeId === null) return null
  return findDataEntryType(dataEntryTypeId)?.label ?? `Type ${dataEntryTypeId}`
}

/** "Upload of Plane trips", "Recalculation of Professional travel". */
export function pipelineSubject(
  p: Pick<Pipeline, 'kind' | 'moduleTypeId' | 'dataEntryTypeId'>,
): string {
  const what = dataEntryTypeLabel(p.dataEntryTypeId) ?? moduleLabel(p.moduleTypeId)
  return `${pipelineKindLabels[p.kind]} of ${what}`
}

/** "Job 12 · CSV ingestion · FINISHED · WARNING". */
export function jobStateText(job: Pick<Job, 'state' | 'result'>): string {
  return job.result ? `${job.state} · ${job.result}` : job.state
}

/** What the live region says when a pipeline changes phase or ends. */
export function statusAnnouncement(p: Pipeline): string {
  switch (p.status) {
    case 'NOT_STARTED':
      return `${pipelineSubject(p)}: queued`
    case 'RUNNING': {
      const phase = p.progress.phase as 1 | 2 | 3
      const label = (phaseLabels[phase] ?? p.progress.phaseLabel).toLowerCase()
      return `${pipelineSubject(p)}: step ${phase} of 3, ${label}`
    }
    case 'SUCCESS':
      return `Pipeline ${p.id} finished successfully`
    case 'PARTIAL':
      return p.progress.hasError
        ? `Pipeline ${p.id} finished with errors`
        : `Pipeline ${p.id} finished with warnings`
    case 'FAILED':
      return `Pipeline ${p.id} failed`
    case 'CANCELLED':
      return `Pipeline ${p.id} was cancelled`
  }
}

/** Whether the change from `before` to `after` is worth announcing (status or phase moved). */
export function isAnnounceable(before: Pipeline | undefined, after: Pipeline): boolean {
  if (!before) return false
  return before.status !== after.status || before.progress.phase !== after.progress.phase
}
