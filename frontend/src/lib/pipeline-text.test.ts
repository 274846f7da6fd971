import type { PipelineStatus } from '@carbon-sync/shared'
import { describe, expect, it } from 'vitest'
import {
  makeJob,
  makePipeline,
  makeRecalcJob,
  makeRowWarning,
  makeSummary,
} from '../testing/pipelines'
import {
  emissionJobOf,
  jobCountsText,
  jobsWithoutEmission,
  jobSummaryMessage,
  jobWarningText,
  lastRunFailed,
  pipelineAnnouncement,
  pipelineBadge,
  pipelineStatusLabel,
  pipelineStatusToneOf,
  statusAnnouncement,
  uploadEndAnnouncement,
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
    // Emissions left to its emission_recalc: the ingestion has nothing to say of them.
    const asynchronous = { ...counts, rowsWithoutEmission: 0 }
    expect(jobCountsText(makeJob(1, { jobType: 'csv_ingest', counts: asynchronous }))).toBe(
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

describe('rows without emission (row warnings, SPEC §4)', () => {
  const none = { rowsTotal: 3, rowsInserted: 2, rowsFailed: 1, rowsWithoutEmission: 0 }
  const ingest = makeJob(1, { counts: none, statusMessage: '2 rows stored, 1 failed' })
  const recalc = makeRecalcJob(2, [makeRowWarning(3)], { entries: 232, parentJobId: 1 })
  // The aggregation counts the module's entries without emission: a sum, not row warnings.
  const aggregation = makeJob(3, {
    jobType: 'aggregation',
    result: 'SUCCESS',
    counts: { rowsTotal: 382, rowsInserted: 382, rowsFailed: 0, rowsWithoutEmission: 1 },
  })
  const upload = makePipeline(27, 'PARTIAL', [ingest, recalc, aggregation])

  it('are found on the job that computed the emissions, never on the aggregation', () => {
    expect(jobsWithoutEmission(upload).map((j) => j.id)).toEqual([2])
    expect(emissionJobOf(upload, 20)?.id).toBe(2)
  })

  it('inline (the seed, BULK_PATH_PURE_ASYNC=false): the ingestion computed them', () => {
    const inline = makeJob(5, {
      result: 'WARNING',
      counts: { rowsTotal: 3, rowsInserted: 3, rowsFailed: 0, rowsWithoutEmission: 1 },
      firstWarnings: [makeRowWarning(4)],
    })
    const p = makePipeline(28, 'PARTIAL', [inline, aggregation])
    expect(jobsWithoutEmission(p).map((j) => j.id)).toEqual([5])
    expect(emissionJobOf(p, 20)?.id).toBe(5)
    expect(jobWarningText(inline)).toBe('1 row stored without emission')
  })

  it('a recalculation that did not finish leaves the emissions unknown, not "none missing"', () => {
    const cancelled = makeRecalcJob(2, [], { result: 'CANCELLED' })
    expect(emissionJobOf(makePipeline(29, 'CANCELLED', [ingest, cancelled]), 20)).toBeUndefined()
  })

  it('a WARNING job says why, in the words of its type', () => {
    expect(jobWarningText(recalc)).toBe('1 entry without emission')
    expect(jobWarningText(makeJob(1))).toBe('1 row failed')
    expect(jobWarningText(makeRecalcJob(2, [], { withoutEmission: 5 }))).toBe(
      '5 entries without emission',
    )
    expect(jobWarningText(makeJob(1, { result: 'SUCCESS' }))).toBeNull()
  })

  it('the tooltip line of a recalculation in WARNING puts the missing emissions first', () => {
    expect(jobSummaryMessage(recalc)).toBe('1 entry without emission (unknown airport ZZZ)')
    const many = makeRecalcJob(2, [makeRowWarning(3), makeRowWarning(9)], { withoutEmission: 250 })
    expect(jobSummaryMessage(many)).toBe(
      '250 entries without emission (first: unknown airport ZZZ)',
    )
    // Other jobs: the server's message, for display.
    expect(jobSummaryMessage(aggregation)).toBe('4 rows stored, 1 failed')
  })

  it('are announced when the pipeline ends', () => {
    expect(pipelineAnnouncement(upload)).toBe(
      'Upload of Plane trips for 2025 finished with warnings; 1 row without emission (counted as 0 kg until fixed)',
    )
    expect(uploadEndAnnouncement(upload)).toBe(
      'Upload of Plane trips for 2025 finished with warnings: 2 rows imported, 1 row failed, 1 row without emission (counted as 0 kg)',
    )
    const clean = makePipeline(30, 'SUCCESS', [
      makeJob(1, { result: 'SUCCESS', counts: { ...none, rowsFailed: 0 } }),
      makeRecalcJob(2),
    ])
    expect(pipelineAnnouncement(clean)).toBe('Upload of Plane trips for 2025 finished successfully')
    expect(uploadEndAnnouncement(clean)).toBe(
      'Upload of Plane trips for 2025 finished successfully: 2 rows imported, 0 rows failed',
    )
    // Not while it runs: the count is not final.
    const running = makePipeline(31, 'RUNNING', [ingest, recalc], {
      progress: makeSummary('RUNNING', 3).progress,
    })
    expect(pipelineAnnouncement(running)).toBe(
      'Upload of Plane trips for 2025: step 3 of 3, aggregating',
    )
  })
})
