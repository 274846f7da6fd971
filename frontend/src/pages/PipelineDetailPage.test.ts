import type { Pipeline } from '@carbon-sync/shared'
import { flushPromises } from '@vue/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { setEventSourceImpl } from '../composables/use-pipeline-stream'
import { usePipelineState } from '../stores/pipeline-state'
import { mountApp, testContext } from '../testing/mount-app'
import { makeJob, makePipeline } from '../testing/pipelines'
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
