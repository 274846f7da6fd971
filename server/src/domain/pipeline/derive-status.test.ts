import { describe, expect, it } from 'vitest'
import { derivePipeline } from './derive-status.ts'

/** Pipeline status and progress from its jobs (SPEC §5.5), table-driven. */
type J = Parameters<typeof derivePipeline>[1][number]
let nextId = 1
function job(
  jobType: string,
  state: string,
  result: string | null = null,
  extra: Partial<J> = {},
): J {
  return {
    jobId: nextId++,
    ownerPipelineId: 1,
    jobType,
    parentJobId: null,
    retryOf: null,
    state,
    result,
    progress: null,
    ...extra,
  }
}

describe('derivePipeline', () => {
  it.each([
    ['nothing started', [job('csv_ingest', 'QUEUED')], 'NOT_STARTED', 1],
    ['the root running', [job('csv_ingest', 'RUNNING')], 'RUNNING', 1],
    [
      'the root done, its child pending',
      [
        job('csv_ingest', 'FINISHED', 'SUCCESS'),
        job('emission_recalc', 'QUEUED', null, { parentJobId: 1 }),
      ],
      'RUNNING',
      2,
    ],
    [
      'all succeeded',
      [job('emission_recalc', 'FINISHED', 'SUCCESS'), job('aggregation', 'FINISHED', 'SUCCESS')],
      'SUCCESS',
      3,
    ],
    [
      'a warning',
      [job('csv_ingest', 'FINISHED', 'WARNING'), job('aggregation', 'FINISHED', 'SUCCESS')],
      'PARTIAL',
      3,
    ],
    [
      'a child error',
      [
        job('csv_ingest', 'FINISHED', 'SUCCESS'),
        job('emission_recalc', 'FINISHED', 'ERROR', { parentJobId: 1 }),
      ],
      'PARTIAL',
      2,
    ],
    ['the root failed', [job('csv_ingest', 'FINISHED', 'ERROR')], 'FAILED', 1],
    ['a cancel', [job('csv_ingest', 'FINISHED', 'CANCELLED')], 'CANCELLED', 1],
  ] as const)('%s: %s', (_what, jobs, status, phase) => {
    const d = derivePipeline(1, jobs, false)
    expect(d.status).toBe(status)
    expect(d.progress.phase).toBe(phase)
    expect(d.finished).toBe(!jobs.some((j) => j.state !== 'FINISHED'))
  })

  it('reports the running job’s rows in the current phase', () => {
    const d = derivePipeline(
      1,
      [job('csv_ingest', 'RUNNING', null, { progress: { phase: 1, processed: 250, total: 1000 } })],
      false,
    )
    expect(d.progress).toEqual({
      phase: 1,
      phasesTotal: 3,
      phaseLabel: 'Inserting data',
      done: false,
      hasError: false,
      processed: 250,
      total: 1000,
    })
  })

  it('no longer counts a job an admin retried', () => {
    const failed = job('aggregation', 'FINISHED', 'ERROR')
    const retry = job('aggregation', 'FINISHED', 'SUCCESS', { retryOf: failed.jobId })
    expect(derivePipeline(1, [failed, retry], false)).toMatchObject({
      status: 'SUCCESS',
      progress: { hasError: false },
    })
  })

  it('ends CANCELLED once a cancel was requested, even if the remaining jobs succeeded', () => {
    expect(derivePipeline(1, [job('csv_ingest', 'FINISHED', 'SUCCESS')], true).status).toBe(
      'CANCELLED',
    )
    expect(derivePipeline(1, [job('csv_ingest', 'RUNNING')], true).status).toBe('RUNNING')
  })

  it('counts a joined job of another pipeline as its own, but not as its root', () => {
    const own = job('csv_ingest', 'FINISHED', 'SUCCESS')
    const joined = job('aggregation', 'FINISHED', 'ERROR', { ownerPipelineId: 2, parentJobId: 99 })
    expect(derivePipeline(1, [own, joined], false).status).toBe('PARTIAL')
  })
})
