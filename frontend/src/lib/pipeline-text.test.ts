import type { PipelineStatus } from '@carbon-sync/shared'
import { describe, expect, it } from 'vitest'
import { makeJob, makePipeline, makeSummary } from '../testing/pipelines'
import {
  jobCountsText,
  lastRunFailed,
  pipelineBadge,
  pipelineStatusLabel,
  pipelineStatusToneOf,
  statusAnnouncement,
} from './pipeline-text'

describe('what the UI says of each pipeline status', () => {
  // [status, a job in ERROR, badge, status label, announcement after its subject]
  const cases: [PipelineStatus, boolean, string, string, string][] = [
    ['NOT_STARTED', false, 'Recalculating…', 'Not started', ': queued'],
    [
      'RUNNING',
      false,
      'Step 2/3 · Recalculating emissions…',
      'Running',
      ': step 2 of 3, recalculating emissions',
    ],
    ['SUCCESS', false, 'Last run succeeded', 'Succeeded', ' finished successfully'],
    ['PARTIAL', false, 'Last run had warnings', 'Partial (warnings)', ' finished with warnings'],
    ['PARTIAL', true, 'Last recalc failed', 'Partly failed', ' partly failed'],
    ['FAILED', true, 'Last recalc failed', 'Failed', ' failed'],
    ['CANCELLED', false, 'Last run cancelled', 'Cancelled', ' was cancelled'],
    ['CANCELLED', true, 'Last recalc failed', 'Cancelled', ' failed and was cancelled'],
  ]

  it.each(cases)('%s (job in ERROR: %s)', (status, hasError, badge, label, announced) => {
    const summary = makeSummary(status, 2, hasError)
    expect(pipelineBadge(summary).text).toBe(badge)
    expect(pipelineStatusLabel(summary)).toBe(label)
    const pipeline = makePipeline(7, status, [], {
      progress: summary.progress,
      kind: 'data',
      dataEntryTypeId: 20,
      year: 2025,
    })
    // The announcement names what finished, as the start does.
    expect(statusAnnouncement(pipeline)).toBe(`Upload of Plane trips for 2025${announced}`)
  })

  it('"Last recalc failed" exactly when the ended pipeline had a job in ERROR', () => {
    expect(lastRunFailed(makeSummary('CANCELLED', 1, true))).toBe(true)
    expect(lastRunFailed(makeSummary('PARTIAL', 3, true))).toBe(true)
    expect(lastRunFailed(makeSummary('FAILED', 1, true))).toBe(true)
    expect(lastRunFailed(makeSummary('PARTIAL', 3, false))).toBe(false)
    expect(lastRunFailed(makeSummary('CANCELLED', 1, false))).toBe(false)
    // Still running: it has not ended, whatever a job did so far.
    expect(lastRunFailed(makeSummary('RUNNING', 2, true))).toBe(false)
    expect(lastRunFailed(null)).toBe(false)
  })

  it('a PARTIAL pipeline with a failed job is not "warnings" in tone either', () => {
    expect(pipelineStatusToneOf(makeSummary('PARTIAL', 3, true))).toBe('error')
    expect(pipelineStatusToneOf(makeSummary('PARTIAL', 3, false))).toBe('warning')
  })

  it('names the module for a recalculation of a whole module', () => {
    const p = makePipeline(8, 'SUCCESS', [], {
      kind: 'recalculation',
      dataEntryTypeId: null,
      moduleTypeId: 2,
    })
    expect(statusAnnouncement(p)).toBe(
      'Recalculation of Professional travel for 2025 finished successfully',
    )
  })
})

describe('job counts in the words of the job type', () => {
  const counts = { rowsTotal: 20_000, rowsInserted: 19_999, rowsFailed: 1, rowsWithoutEmission: 3 }

  it('an ingestion reads and stores rows', () => {
    expect(jobCountsText(makeJob(1, { jobType: 'csv_ingest', counts }))).toBe(
      '20,000 rows read · 19,999 stored · 1 failed · 3 without emission',
    )
    expect(jobCountsText(makeJob(1, { jobType: 'factor_ingest', counts }))).toBe(
      '20,000 rows read · 19,999 stored · 1 failed',
    )
  })

  it('a recalculation recalculates entries', () => {
    expect(jobCountsText(makeJob(2, { jobType: 'emission_recalc', counts }))).toBe(
      '20,000 entries recalculated · 19,999 changed · 3 without emission',
    )
  })

  it('an aggregation aggregates a module', () => {
    const one = { rowsTotal: 1, rowsInserted: 1, rowsFailed: 0, rowsWithoutEmission: 0 }
    expect(jobCountsText(makeJob(3, { jobType: 'aggregation', counts: one }))).toBe(
      '1 module aggregated · 1 entry · 0 without emission',
    )
  })

  it('says nothing before there is anything to count', () => {
    const none = { rowsTotal: 0, rowsInserted: 0, rowsFailed: 0, rowsWithoutEmission: 0 }
    expect(jobCountsText(makeJob(4, { counts: none }))).toBeNull()
  })
})
