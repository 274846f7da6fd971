import type { Job, Pipeline, PipelineStatus, PipelineSummary, RowError } from '@carbon-sync/shared'

/** Builders of API shapes for tests: a plausible value, with what a test cares about overridden. */

const phaseLabels = ['Inserting data', 'Recalculating emissions', 'Aggregating'] as const

export function makeSummary(
  status: PipelineStatus,
  phase: 1 | 2 | 3 = 1,
  hasError = false,
  pipelineId = 42,
): PipelineSummary {
  return {
    pipelineId,
    status,
    version: 5,
    progress: {
      phase,
      phasesTotal: 3,
      phaseLabel: phaseLabels[phase - 1]!,
      done: !['NOT_STARTED', 'RUNNING'].includes(status),
      hasError,
      processed: 10,
      total: 100,
    },
  }
}

export function makeJob(id: number, extra: Partial<Job> = {}): Job {
  return {
    id,
    pipelineId: 42,
    parentJobId: null,
    retryOf: null,
    jobType: 'csv_ingest',
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year: 2025,
    state: 'FINISHED',
    result: 'WARNING',
    statusMessage: '4 rows stored, 1 failed',
    attempts: 1,
    version: 3,
    progress: null,
    counts: { rowsTotal: 5, rowsInserted: 4, rowsFailed: 1, rowsWithoutEmission: 0 },
    firstErrors: [],
    firstWarnings: [],
    warnings: [],
    uploadId: 1,
    createdAt: new Date(Date.now() - 120_000).toISOString(),
    startedAt: new Date(Date.now() - 110_000).toISOString(),
    heartbeatAt: null,
    finishedAt: new Date(Date.now() - 100_000).toISOString(),
    ...extra,
  }
}

/** A row warning: an entry stored without emission (SPEC §4), by default an unknown airport. */
export function makeRowWarning(row: number, extra: Partial<RowError> = {}): RowError {
  return {
    row,
    column: null,
    code: 'unknown_location',
    message: 'unknown airport ZZZ',
    ...extra,
  }
}

/**
 * The emission_recalc of an upload, chained after its ingestion: `warnings` are its first row
 * warnings and `withoutEmission` (their number by default) its count of entries left without
 * emission; WARNING when there are some, as the server ends it.
 */
export function makeRecalcJob(
  id: number,
  warnings: RowError[] = [],
  extra: Partial<Job> & { withoutEmission?: number; entries?: number } = {},
): Job {
  const { withoutEmission = warnings.length, entries = 120, ...rest } = extra
  const first = warnings[0]
  return makeJob(id, {
    jobType: 'emission_recalc',
    result: withoutEmission > 0 ? 'WARNING' : 'SUCCESS',
    statusMessage:
      `${entries} entries recalculated (${entries} changed), ${withoutEmission} without emission` +
      (first ? `: ${first.message}${withoutEmission > 1 ? ', …' : ''}` : ''),
    uploadId: null,
    counts: {
      rowsTotal: entries,
      rowsInserted: entries,
      rowsFailed: 0,
      rowsWithoutEmission: withoutEmission,
    },
    firstWarnings: warnings,
    ...rest,
  })
}

export function makePipeline(
  id: number,
  status: PipelineStatus,
  jobs: Job[],
  extra: Partial<Pipeline> = {},
): Pipeline {
  const summary = makeSummary(
    status,
    3,
    jobs.some((j) => j.result === 'ERROR'),
    id,
  )
  const done = summary.progress.done
  return {
    id,
    kind: 'data',
    status,
    version: 5,
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year: 2025,
    progress: summary.progress,
    jobs: jobs.map((j) => ({ ...j, pipelineId: id })),
    createdBy: 'Marc Manager',
    createdAt: new Date(Date.now() - 120_000).toISOString(),
    finishedAt: done ? new Date(Date.now() - 60_000).toISOString() : null,
    ...extra,
  }
}
