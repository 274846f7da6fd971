import type { Pipeline } from '@carbon-sync/shared'
import { flushPromises } from '@vue/test-utils'
import { QLayout, QPageContainer } from 'quasar'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { setEventSourceImpl } from '../composables/use-pipeline-stream'
import { usePipelineState } from '../stores/pipeline-state'
import { eventually, mountApp, testContext } from '../testing/mount-app'
import { makeJob, makePipeline, makeRecalcJob, makeRowWarning } from '../testing/pipelines'
import PipelineDetailPage from './PipelineDetailPage.vue'

/**
 * Heartbeats do not bump a pipeline's version, so its stream does not bring them: while a job
 * runs, the page reads the pipeline over REST every 10 s, and whether a job is stuck follows.
 */

class SilentEventSource extends EventTarget {
  readyState = 0
  close() {
    this.readyState = 2
  }
}
beforeAll(() => setEventSourceImpl(SilentEventSource as unknown as typeof window.EventSource))
afterAll(() => setEventSourceImpl(undefined))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('PipelineDetailPage', () => {
  it('reads a pipeline with a running job every 10 s, taking its newer heartbeats', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] })
    let beat = new Date().toISOString()
    const reads: string[] = []
    const snapshot = (): Pipeline =>
      makePipeline(42, 'RUNNING', [
        makeJob(1, { state: 'RUNNING', result: null, finishedAt: null, heartbeatAt: beat }),
      ])
    vi.stubGlobal('fetch', async (url: string) => {
      reads.push(url)
      if (url.endsWith('/sync/pipelines/42')) return Response.json(snapshot())
      return Response.json({ events: [] })
    })
    const context = testContext()
    const w = mountApp(PipelineDetailPage, { props: { id: 42 } }, context)
    const pipelineReads = () => reads.filter((u) => u.endsWith('/sync/pipelines/42')).length
    await vi.advanceTimersByTimeAsync(100)
    await flushPromises()
    expect(pipelineReads()).toBe(1)

    beat = new Date(Date.now() + 9_000).toISOString()
    await vi.advanceTimersByTimeAsync(10_000)
    await flushPromises()
    expect(pipelineReads()).toBe(2)
    // Same version, later heartbeat: the store takes it.
    expect(usePipelineState(context.pinia).pipeline(42)?.jobs[0]?.heartbeatAt).toBe(beat)
    w.unmount()
  })
})

/** The page as the app shows it: a QPage renders only inside a QLayout and its container. */
function mountInLayout(id: number) {
  const InLayout = defineComponent({
    render: () =>
      h(QLayout, { view: 'hHh lpR fFf' }, () =>
        h(QPageContainer, () => h(PipelineDetailPage, { id })),
      ),
  })
  return mountApp(InLayout)
}

describe('PipelineDetailPage: row warnings', () => {
  it('lists the entries a job left without emission, like the row errors, with warnings.csv', async () => {
    const warnings = [
      makeRowWarning(3),
      makeRowWarning(7, { code: 'missing_factor', message: 'no factor for business class' }),
    ]
    const pipeline = makePipeline(27, 'PARTIAL', [
      makeJob(53, { statusMessage: '4 rows stored, 1 failed' }),
      makeRecalcJob(54, warnings, { parentJobId: 53, withoutEmission: 140, entries: 232 }),
      makeJob(55, {
        jobType: 'aggregation',
        result: 'SUCCESS',
        statusMessage: '382 entries, 154895.3 kg CO2-eq',
        counts: { rowsTotal: 382, rowsInserted: 382, rowsFailed: 0, rowsWithoutEmission: 140 },
      }),
    ])
    vi.stubGlobal('fetch', async (url: string) =>
      url.endsWith('/sync/pipelines/27') ? Response.json(pipeline) : Response.json({ events: [] }),
    )
    const w = mountInLayout(27)
    await eventually(() => expect(w.find('[data-testid="job-row-warnings"]').exists()).toBe(true))

    // One section per job that computed emissions: not the aggregation, which only sums them.
    const sections = w.findAll('[data-testid="job-row-warnings"]')
    expect(sections).toHaveLength(1)
    const section = sections[0]!
    expect(section.get('h3').text()).toBe(
      'Emission recalculation (job 54): 140 entries without emission',
    )
    expect(section.text()).toContain('The first 2 are shown.')
    const table = section.get('[role="region"]')
    expect(table.attributes('aria-label')).toBe('Row warnings of job 54')
    expect(table.findAll('th').map((th) => th.text())).toEqual(['Row', 'Code', 'Reason'])
    expect(
      section
        .findAll('[data-testid="row-warning"]')
        .map((r) => r.findAll('td').map((c) => c.text())),
    ).toEqual([
      ['3', 'unknown_location', 'unknown airport ZZZ'],
      ['7', 'missing_factor', 'no factor for business class'],
    ])
    const download = section.get('a')
    expect(download.text()).toBe('Download all 140 rows without emission as CSV')
    expect(download.attributes('href')).toBe('/api/v1/sync/jobs/54/warnings.csv')

    // The timeline says why the recalculation is a WARNING, and offers the same download.
    const why = w.findAll('[data-testid="job-warning"]').map((e) => e.text())
    expect(why).toEqual(['Warning: 1 row failed', 'Warning: 140 entries without emission'])
    const button = w
      .findAll('a')
      .find(
        (a) => a.attributes('aria-label') === 'Download the rows without emission of job 54 as CSV',
      )
    expect(button?.attributes('href')).toBe('/api/v1/sync/jobs/54/warnings.csv')
    // The row errors are still their own section.
    expect(w.get('#row-errors-heading').text()).toBe('Row errors')
    expect(w.get('#row-warnings-heading').text()).toBe('Row warnings')
    w.unmount()
  })

  it('says so when no entry was left without emission', async () => {
    const pipeline = makePipeline(28, 'SUCCESS', [
      makeJob(56, {
        result: 'SUCCESS',
        counts: { rowsTotal: 4, rowsInserted: 4, rowsFailed: 0, rowsWithoutEmission: 0 },
      }),
      makeRecalcJob(57),
    ])
    vi.stubGlobal('fetch', async (url: string) =>
      url.endsWith('/sync/pipelines/28') ? Response.json(pipeline) : Response.json({ events: [] }),
    )
    const w = mountInLayout(28)
    await eventually(() => expect(w.find('#row-warnings-heading').exists()).toBe(true))
    expect(w.find('[data-testid="job-row-warnings"]').exists()).toBe(false)
    expect(w.text()).toContain('No entry was left without emission.')
    expect(w.find('[data-testid="job-warning"]').exists()).toBe(false)
    w.unmount()
  })
})
