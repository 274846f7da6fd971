import type { Job } from '@carbon-sync/shared'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mountApp } from '../../testing/mount-app'
import { makeJob, makePipeline } from '../../testing/pipelines'
import JobTimeline from './JobTimeline.vue'

/** Recover is offered for what the server would accept (SPEC §5.6), and only that. */

// The event histories read their events; here there are none.
beforeAll(() =>
  vi.stubGlobal('fetch', async () =>
    Response.json({ events: [] }, { headers: { 'Content-Type': 'application/json' } }),
  ),
)
afterAll(() => vi.unstubAllGlobals())

function mountTimeline(jobs: Job[], canRecover = true) {
  return mountApp(JobTimeline, {
    props: { pipeline: makePipeline(42, 'RUNNING', jobs), canRecover, busy: false },
  })
}

function recoverButtons(w: ReturnType<typeof mountTimeline>) {
  return w
    .findAll('button')
    .filter((b) => b.attributes('aria-label')?.startsWith('Recover job'))
    .map((b) => [b.attributes('aria-label'), b.text()])
}

const failed = (id: number, extra: Partial<Job> = {}) =>
  makeJob(id, { result: 'ERROR', statusMessage: 'No valid row', ...extra })
const running = (id: number, heartbeatAgoMs: number | null) =>
  makeJob(id, {
    state: 'RUNNING',
    result: null,
    finishedAt: null,
    heartbeatAt:
      heartbeatAgoMs === null ? null : new Date(Date.now() - heartbeatAgoMs).toISOString(),
  })

describe('JobTimeline: when Recover is offered', () => {
  it('on a job that failed', () => {
    const w = mountTimeline([failed(1)])
    expect(recoverButtons(w)).toEqual([['Recover job 1', 'Recover']])
  })

  it('not on a failed job that another job of the pipeline retries already', () => {
    const w = mountTimeline([failed(1), makeJob(2, { retryOf: 1, result: 'SUCCESS' })])
    expect(recoverButtons(w)).toEqual([])
  })

  it('only on the newest attempt when a retry failed too', () => {
    const w = mountTimeline([failed(1), failed(2, { retryOf: 1 })])
    expect(recoverButtons(w)).toEqual([['Recover job 2', 'Recover']])
  })

  it('not on a running job whose pod is alive (heartbeat within 30 s)', () => {
    const w = mountTimeline([running(1, 5_000)])
    expect(recoverButtons(w)).toEqual([])
  })

  it('on a running job whose heartbeat is older than 30 s, as "Recover if stuck"', () => {
    const w = mountTimeline([running(1, 45_000)])
    expect(recoverButtons(w)).toEqual([['Recover job 1', 'Recover if stuck']])
  })

  it('not on finished jobs that did not fail, nor for someone who may not recover', () => {
    expect(recoverButtons(mountTimeline([makeJob(1, { result: 'SUCCESS' })]))).toEqual([])
    expect(recoverButtons(mountTimeline([failed(1), running(2, 60_000)], false))).toEqual([])
  })
})

describe('JobTimeline: words that fit each job type', () => {
  it('rows for an ingestion, entries for a recalculation, a module for an aggregation', () => {
    const w = mountTimeline([
      makeJob(1, {
        result: 'WARNING',
        counts: { rowsTotal: 20_000, rowsInserted: 19_999, rowsFailed: 1, rowsWithoutEmission: 0 },
      }),
      makeJob(2, {
        jobType: 'emission_recalc',
        result: 'SUCCESS',
        statusMessage: '19999 entries recalculated (19999 changed), 0 without emission',
        counts: { rowsTotal: 19_999, rowsInserted: 19_999, rowsFailed: 0, rowsWithoutEmission: 0 },
      }),
      makeJob(3, {
        jobType: 'aggregation',
        result: 'SUCCESS',
        statusMessage: '45210 entries, 50091600.0 kg CO2-eq',
        counts: { rowsTotal: 45_210, rowsInserted: 45_210, rowsFailed: 0, rowsWithoutEmission: 2 },
      }),
    ])
    const counts = w.findAll('[data-testid="job-counts"]').map((c) => c.text())
    expect(counts).toEqual([
      // The ingestion did not compute emissions (its recalculation did): no "0 without emission".
      '20,000 rows read · 19,999 stored · 1 failed',
      '19,999 entries recalculated · 19,999 changed · 0 without emission',
      '1 module aggregated · 45,210 entries · 2 without emission',
    ])
    expect(w.text()).toContain('19,999 entries recalculated (19,999 changed), 0 without emission')
    expect(w.text()).toContain('45,210 entries, 50,091.6 t CO2-eq')
    expect(w.text()).not.toContain('rows read · 19,999 stored · 0 failed')
  })
})

describe('JobTimeline: durations (SPEC §8, jobs as a timeline with durations)', () => {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString()
  /** What each entry says after the start time: "took …", "running for …", "not started yet". */
  const durations = (w: ReturnType<typeof mountTimeline>) =>
    w.findAll('.q-timeline__subtitle').map((s) => s.text().split('·').at(-1)!.trim())

  it('a finished job: the time from its start to its finish', () => {
    const w = mountTimeline([
      // Queued long before it started: the wait is not part of its duration.
      makeJob(1, { createdAt: ago(600_000), startedAt: ago(300_000), finishedAt: ago(175_000) }),
      makeJob(2, { createdAt: ago(60_000), startedAt: ago(50_000), finishedAt: ago(37_700) }),
      makeJob(3, { createdAt: ago(9e6), startedAt: ago(8e6), finishedAt: ago(8e6 - 3_725_000) }),
    ])
    expect(durations(w)).toEqual(['took 2 min 5 s', 'took 12.3 s', 'took 1 h 2 min'])
  })

  it('a running job: the time since it started, by the page clock', () => {
    const w = mountTimeline([
      makeJob(1, {
        state: 'RUNNING',
        result: null,
        createdAt: ago(400_000),
        startedAt: ago(200_000),
        // Its last heartbeat is not its end.
        heartbeatAt: ago(5_000),
        finishedAt: null,
      }),
      makeJob(2, { state: 'QUEUED', result: null, startedAt: null, finishedAt: null }),
    ])
    // 200 s ago when built, and a few milliseconds more when mounted: still 3 min 20 s.
    expect(durations(w)).toEqual(['running for 3 min 20 s', 'not started yet'])
  })
})
