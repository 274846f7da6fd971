import { flushPromises } from '@vue/test-utils'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { CatalogDataEntryType, CatalogModule } from '../../api/catalog'
import { setEventSourceImpl } from '../../composables/use-pipeline-stream'
import { usePipelineState } from '../../stores/pipeline-state'
import { mountApp, testContext } from '../../testing/mount-app'
import { makeJob, makePipeline } from '../../testing/pipelines'
import ModuleConfig from './ModuleConfig.vue'

/**
 * The module's pipeline badge is one element whether it shows the running pipeline or the last
 * one: a keyboard user whose focus is on it while the pipeline ends keeps focus there, and the
 * badge's aria-describedby keeps naming the same tooltip (SPEC §8).
 */

const travel: CatalogModule = { id: 2, key: 'professional_travel', label: 'Professional travel' }
const plane: CatalogDataEntryType = {
  id: 20,
  key: 'plane',
  label: 'Plane trips',
  moduleTypeId: 2,
  supported: true,
  columns: [],
  factorColumns: [],
  reference: null,
}

class SilentEventSource extends EventTarget {
  readyState = 0
  close() {
    this.readyState = 2
  }
}
beforeAll(() => {
  setEventSourceImpl(SilentEventSource as unknown as typeof window.EventSource)
  vi.stubGlobal('fetch', async (url: string) => {
    throw new Error(`unexpected request ${url}`)
  })
})
afterAll(() => {
  setEventSourceImpl(undefined)
  vi.unstubAllGlobals()
})

describe('ModuleConfig pipeline badge', () => {
  it('stays the same focused element, tooltip included, when the running pipeline ends', async () => {
    const context = testContext()
    const store = usePipelineState(context.pinia)
    const running = makePipeline(
      7,
      'RUNNING',
      [makeJob(70, { state: 'RUNNING', result: null, finishedAt: null, statusMessage: null })],
      { version: 3 },
    )
    store.applySnapshot(running)
    context.queryClient.setQueryData(['pipelines', 'module', 2025, 2], {
      items: [],
      nextCursor: null,
    })
    const w = mountApp(
      ModuleConfig,
      {
        props: { module: travel, types: [plane], year: 2025, facts: undefined },
        attachTo: document.body,
      },
      context,
    )
    await flushPromises()

    const head = () => w.get('.module-config__head [data-testid="pipeline-badge"]')
    const badge = head().element as HTMLElement
    expect(head().text()).toMatch(/^Step 3\/3 · Aggregating…$/)
    const tooltipId = badge.getAttribute('aria-describedby')
    badge.focus()
    await flushPromises()
    expect(document.getElementById(tooltipId!)?.style.display).not.toBe('none')

    store.applySnapshot({
      ...makePipeline(7, 'SUCCESS', [makeJob(70, { result: 'SUCCESS', statusMessage: null })]),
      version: 9,
    })
    await flushPromises()

    expect(head().text()).toBe('Last run succeeded')
    expect(head().element).toBe(badge)
    expect(document.activeElement).toBe(badge)
    expect(badge.getAttribute('aria-describedby')).toBe(tooltipId)
    expect(document.getElementById(tooltipId!)?.style.display).not.toBe('none')
    w.unmount()
  })
})
