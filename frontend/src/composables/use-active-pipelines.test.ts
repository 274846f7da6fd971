import { flushPromises } from '@vue/test-utils'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { refetchOnWindowFocusAndVisibility } from '../boot/query'
import { mountApp } from '../testing/mount-app'
import { useActivePipelines } from './use-active-pipelines'

/** The active pipelines are read again when the window is focused, not only when a tab shows. */

const reads: string[] = []
beforeAll(() => {
  refetchOnWindowFocusAndVisibility()
  vi.stubGlobal('fetch', async (url: string) => {
    reads.push(url)
    return Response.json({ modules: { '2': { active: null, last: null } } })
  })
})
afterAll(() => vi.unstubAllGlobals())

const Page = defineComponent({
  setup() {
    useActivePipelines(2025, [2])
    return () => h('p', 'page')
  },
})

describe('useActivePipelines', () => {
  it('refetches on window focus, however fresh its last answer', async () => {
    const w = mountApp(Page)
    await flushPromises()
    const active = () => reads.filter((u) => u.includes('/sync/active-pipelines')).length
    expect(active()).toBe(1)

    // Another window was in front; this one is focused again (both visible: no visibilitychange).
    window.dispatchEvent(new Event('focus'))
    await flushPromises()
    expect(active()).toBe(2)

    // A tab shown again still counts (the event bubbles from the document to the window).
    window.dispatchEvent(new Event('visibilitychange'))
    await flushPromises()
    expect(active()).toBe(3)
    w.unmount()
  })
})
