import {
  findDataEntryType,
  findModuleType,
  jobPhase,
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
import { formatCount, formatServerMessage, plural } from './format'

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

/**
 * The last pipeline of a module ended with a job in ERROR (an upload that failed included),
 * whatever else happened to it: FAILED, PARTIAL with a child in ERROR, or CANCELLED after a job
 * had failed. `hasError` does not count a job that an admin retried.
 */
export function lastRunFailed(summary: SummaryLike | null | undefined): boolean {
  return (
    !!summary &&
    isTerminal(summary.status) &&
    (summary.status === 'FAILED' || summary.progress.hasError)
  )
}

/** Text of a pipeline badge; `undefined` means the pipeline is known but no update came yet. */
export function pipelineBadge(summary: SummaryLike | null | undefined): BadgeView {
  if (!summary) return { text: 'Recalculating…', tone: 'active' }
  const { status, progress } = summary
  // SPEC §8: "Last recalc failed" whenever the pipeline that ended had a job in ERROR.
  if (lastRunFailed(summary)) return { text: 'Last recalc failed', tone: 'error' }
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
      return { text: 'Last run had warnings', tone: 'warning' }
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

/** The statuses as a filter offers them: PARTIAL covers warnings and failed children alike. */
export const pipelineStatusLabels: Record<PipelineStatus, string> = {
  NOT_STARTED: 'Not started',
  RUNNING: 'Running',
  SUCCESS: 'Succeeded',
  PARTIAL: 'Partial',
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

/**
 * The status of one pipeline: a PARTIAL one is "Partly failed" when a job of it ended in ERROR
 * (stored data, a later step failed) and "Partial (warnings)" only when rows were skipped.
 */
export function pipelineStatusLabel(p: SummaryLike): string {
  if (p.status === 'PARTIAL') return p.progress.hasError ? 'Partly failed' : 'Partial (warnings)'
  return pipelineStatusLabels[p.status]
}

export function pipelineStatusToneOf(p: SummaryLike): Tone {
  if (p.status === 'PARTIAL' && p.progress.hasError) return 'error'
  return pipelineStatusTone[p.status]
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

/** "Upload of Plane trips for 2025": what every announcement of a pipeline is about. */
export function announcedSubject(
  p: Pick<Pipeline, 'kind' | 'moduleTypeId' | 'dataEntryTypeId' | 'year'>,
): string {
  return `${pipelineSubject(p)} for ${p.year}`
}

/** What the live region says when a pipeline changes phase or ends; it names its subject. */
export function statusAnnouncement(p: Pipeline): string {
  const subject = announcedSubject(p)
  switch (p.status) {
    case 'NOT_STARTED':
      return `${subject}: queued`
    case 'RUNNING': {
      const phase = p.progress.phase as 1 | 2 | 3
      const label = (phaseLabels[phase] ?? p.progress.phaseLabel).toLowerCase()
      return `${subject}: step ${phase} of 3, ${label}`
    }
    case 'SUCCESS':
      return `${subject} finished successfully`
    case 'PARTIAL':
      return p.progress.hasError ? `${subject} partly failed` : `${subject} finished with warnings`
    case 'FAILED':
      return `${subject} failed`
    case 'CANCELLED':
      return p.progress.hasError
        ? `${subject} failed and was cancelled`
        : `${subject} was cancelled`
  }
}

/** The job kinds that read rows of a file (or of the demo seed) into data entries. */
const dataIngestions: readonly JobType[] = ['csv_ingest', 'api_ingest', 'seed_ingest']

/** Whether a job's counts are about entries (recalculation, aggregation) rather than file rows. */
export function countsEntries(jobType: JobType): boolean {
  return jobType === 'emission_recalc' || jobType === 'aggregation'
}

/**
 * A job's counts in the words of its type: rows of a file for an ingestion, entries for a
 * recalculation, a module for an aggregation. Null when there is nothing to count yet.
 */
export function jobCountsText(job: Pick<Job, 'jobType' | 'counts'>): string | null {
  const { rowsTotal, rowsInserted, rowsFailed, rowsWithoutEmission } = job.counts
  if (rowsTotal === 0) return null
  const entries = (n: number) => plural(n, 'entry', 'entries')
  switch (job.jobType) {
    case 'emission_recalc':
      return [
        `${entries(rowsTotal)} recalculated`,
        `${formatCount(rowsInserted)} changed`,
        `${formatCount(rowsWithoutEmission)} without emission`,
      ].join(' · ')
    case 'aggregation':
      return [
        '1 module aggregated',
        entries(rowsTotal),
        `${formatCount(rowsWithoutEmission)} without emission`,
      ].join(' · ')
    default:
      return [
        `${plural(rowsTotal, 'row')} read`,
        `${formatCount(rowsInserted)} stored`,
        `${formatCount(rowsFailed)} failed`,
        // An ingestion counts them only when it computed the emissions inline; otherwise its
        // emission_recalc does, and a "0 without emission" here would contradict it.
        ...(dataIngestions.includes(job.jobType) && rowsWithoutEmission > 0
          ? [`${formatCount(rowsWithoutEmission)} without emission`]
          : []),
      ].join(' · ')
  }
}

/**
 * The job kinds that compute the emissions of entries: the recalculation, and an ingestion
 * that computes them inline (the seed, or BULK_PATH_PURE_ASYNC=false). An aggregation counts
 * the module's entries without emission too, but it only sums them: it has no row warnings.
 */
export function computesEmissions(jobType: JobType): boolean {
  return jobType === 'emission_recalc' || dataIngestions.includes(jobType)
}

type CountedJob = Pick<Job, 'jobType' | 'counts'>

/** The jobs of a pipeline that left entries without emission (row warnings, SPEC §4). */
export function jobsWithoutEmission<J extends CountedJob>(p: { jobs: readonly J[] }): J[] {
  return p.jobs.filter((j) => computesEmissions(j.jobType) && j.counts.rowsWithoutEmission > 0)
}

/** How many rows the pipeline's jobs left without emission, all types together. */
export function withoutEmissionTotal(p: { jobs: readonly CountedJob[] }): number {
  return jobsWithoutEmission(p).reduce((n, j) => n + j.counts.rowsWithoutEmission, 0)
}

/**
 * The job whose outcome is the emissions of a type's entries once the pipeline ended: its
 * emission_recalc (the last one that finished), or, when it has none, an ingestion that
 * computed them inline. Undefined when that job did not finish (a cancelled or failed
 * recalculation): the emissions are then not known from this pipeline.
 */
export function emissionJobOf(p: Pick<Pipeline, 'jobs'>, dataEntryTypeId: number): Job | undefined {
  const ofType = p.jobs.filter((j) => j.dataEntryTypeId === dataEntryTypeId)
  const recalcs = ofType.filter((j) => j.jobType === 'emission_recalc')
  const computing =
    recalcs.length > 0 ? recalcs : ofType.filter((j) => dataIngestions.includes(j.jobType))
  return computing.filter((j) => j.result === 'SUCCESS' || j.result === 'WARNING').at(-1)
}

/**
 * "1 entry without emission" for a recalculation (it counts the type's stored entries), "2 rows
 * stored without emission" for an ingestion (it counts the rows of its file).
 */
export function withoutEmissionText(job: CountedJob): string {
  const n = job.counts.rowsWithoutEmission
  return job.jobType === 'emission_recalc'
    ? `${plural(n, 'entry', 'entries')} without emission`
    : `${plural(n, 'row')} stored without emission`
}

/** Why a job ended with WARNING, from its counts: "1 row failed, 1 row stored without emission". */
export function jobWarningText(job: Pick<Job, 'jobType' | 'counts' | 'result'>): string | null {
  if (job.result !== 'WARNING') return null
  const reasons: string[] = []
  if (job.counts.rowsFailed > 0) reasons.push(`${plural(job.counts.rowsFailed, 'row')} failed`)
  if (computesEmissions(job.jobType) && job.counts.rowsWithoutEmission > 0)
    reasons.push(withoutEmissionText(job))
  return reasons.length > 0 ? reasons.join(', ') : null
}

/**
 * A job's message for a one-line summary (the badge's tooltip). A recalculation that left
 * entries without emission says that first, with the first reason, rather than the server's
 * "232 entries recalculated (2 changed), 1 without emission: unknown airport ZZZ", whose point
 * comes last; every other job says what the server wrote.
 */
export function jobSummaryMessage(
  job: Pick<Job, 'jobType' | 'counts' | 'result' | 'statusMessage' | 'firstWarnings'>,
): string | null {
  if (
    job.jobType === 'emission_recalc' &&
    job.result === 'WARNING' &&
    job.counts.rowsWithoutEmission > 0
  ) {
    const first = job.firstWarnings[0]
    const more = job.counts.rowsWithoutEmission > 1 ? 'first: ' : ''
    return `${withoutEmissionText(job)}${first ? ` (${more}${first.message})` : ''}`
  }
  return job.statusMessage ? formatServerMessage(job.statusMessage) : null
}

/**
 * What the live region says when a pipeline changes phase or ends: the status, and at the end
 * the entries it left without emission, which the statistics do not count.
 */
export function pipelineAnnouncement(p: Pipeline): string {
  const status = statusAnnouncement(p)
  if (!isTerminal(p.status)) return status
  const missing = withoutEmissionTotal(p)
  return missing > 0
    ? `${status}; ${plural(missing, 'row')} without emission (counted as 0 kg until fixed)`
    : status
}

/**
 * What the upload dialog says when its pipeline ends: how, then the rows imported and failed
 * (by the ingestion) and those stored without emission (by the job that computed them).
 */
export function uploadEndAnnouncement(p: Pipeline): string {
  const ingest = p.jobs.find((j) => jobPhase[j.jobType] === 1)
  const rows = ingest
    ? [
        `${plural(ingest.counts.rowsInserted, 'row')} imported`,
        `${plural(ingest.counts.rowsFailed, 'row')} failed`,
      ]
    : []
  const missing = withoutEmissionTotal(p)
  if (missing > 0) rows.push(`${plural(missing, 'row')} without emission (counted as 0 kg)`)
  return `${statusAnnouncement(p)}${rows.length > 0 ? `: ${rows.join(', ')}` : ''}`
}

/** Whether the change from `before` to `after` is worth announcing (status or phase moved). */
export function isAnnounceable(before: Pipeline | undefined, after: Pipeline): boolean {
  if (!before) return false
  return before.status !== after.status || before.progress.phase !== after.progress.phase
}
