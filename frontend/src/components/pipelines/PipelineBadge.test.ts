import type { ModuleStatus, Pipeline, PipelineSummary } from '@carbon-sync/shared'
import { flushPromises } from '@vue/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { setEventSourceImpl } from '../../composables/use-pipeline-stream'
import { usePipelineState } from '../../stores/pipeline-state'
import { mountApp, testContext } from '../../testing/mount-app'
import {
  makeJob,
  makePipeline,
  makeRecalcJob,
  makeRowWarning,
  makeSummary,
} from '../../testing/pipelines'
import ModuleConfig from '../data/ModuleConfig.vue'
import PipelineBadge from './PipelineBadge.vue'

function snapshot(): Pipeline {
  return {
    ...makeSummary('PARTIAL', 3),
    id: 42,
    kind: 'data',
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year: 2025,
    jobs: [
      makeJob(100, {}),
      makeJob(101, {
        jobType: 'emission_recalc',
        result: 'SUCCESS',
        statusMessage: '4 entries recalculated',
      }),
    ],
    createdBy: 'Marc Manager',
    createdAt: new Date(Date.now() - 120_000).toISOString(),
    finishedAt: new Date(Date.now() - 60_000).toISOString(),
  }
}

// A module with an active pipeline opens its stream; here it connects to nothing.
class SilentEventSource extends EventTarget {
  readyState = 0
  close() {
    this.readyState = 2
  }
}
beforeAll(() => setEventSourceImpl(SilentEventSource as unknown as typeof window.EventSource))
afterAll(() => setEventSourceImpl(undefined))

describe('badge text for every pipeline status and phase', () => {
  const cases: [string, PipelineSummary | null, string][] = [
    ['NOT_STARTED', makeSummary('NOT_STARTED'), 'Recalculating…'],
    ['RUNNING, before the first update', null, 'Recalculating…'],
    ['RUNNING phase 1', makeSummary('RUNNING', 1), 'Step 1/3 · Inserting data…'],
    ['RUNNING phase 2', makeSummary('RUNNING', 2), 'Step 2/3 · Recalculating emissions…'],
    ['RUNNING phase 3', makeSummary('RUNNING', 3), 'Step 3/3 · Aggregating…'],
    ['SUCCESS', makeSummary('SUCCESS', 3), 'Last run succeeded'],
    ['PARTIAL with a job in ERROR', makeSummary('PARTIAL', 3, true), 'Last recalc failed'],
    ['PARTIAL with warnings only', makeSummary('PARTIAL', 3, false), 'Last run had warnings'],
    ['FAILED', makeSummary('FAILED', 1, true), 'Last recalc failed'],
    ['CANCELLED', makeSummary('CANCELLED', 1), 'Last run cancelled'],
    // A job failed, then the rest was cancelled: the failure is what the module must say.
    ['CANCELLED with a job in ERROR', makeSummary('CANCELLED', 2, true), 'Last recalc failed'],
  ]

  it.each(cases)('%s', (_name, shown, text) => {
    const w = mountApp(PipelineBadge, { props: { pipelineId: 42, summary: shown } })
    expect(w.get('[data-testid="pipeline-badge"]').text()).toBe(text)
    w.unmount()
  })

  const module = { id: 2, key: 'professional_travel', label: 'Professional travel' }
  const moduleCases: [
    string,
    ModuleStatus,
    PipelineSummary | null,
    PipelineSummary | null,
    string[],
  ][] = [
    ['incomplete', 'incomplete', null, null, ['Incomplete']],
    [
      'recalculation_needed',
      'recalculation_needed',
      null,
      makeSummary('SUCCESS', 3, false, 40),
      ['Recalculation needed', 'Last run succeeded'],
    ],
    [
      'recalculating',
      'recalculating',
      makeSummary('RUNNING', 2, false, 41),
      null,
      ['Step 2/3 · Recalculating emissions…'],
    ],
    ['failed', 'failed', null, makeSummary('FAILED', 1, true, 39), ['Last recalc failed']],
    [
      'failed, last pipeline CANCELLED after a job in ERROR',
      'failed',
      null,
      makeSummary('CANCELLED', 2, true, 39),
      ['Last recalc failed'],
    ],
    [
      'failed, last pipeline PARTIAL with a job in ERROR',
      'failed',
      null,
      makeSummary('PARTIAL', 3, true, 39),
      ['Last recalc failed'],
    ],
    ['failed, pipeline unknown', 'failed', null, null, ['Last recalc failed']],
    ['recalculating, pipeline unknown', 'recalculating', null, null, ['Recalculating…']],
    // "Up to date" beside "Last run succeeded" says nothing more: one of them.
    [
      'up_to_date, last run succeeded',
      'up_to_date',
      null,
      makeSummary('SUCCESS', 3, false, 40),
      ['Last run succeeded'],
    ],
    ['up_to_date, no pipeline known', 'up_to_date', null, null, ['Up to date']],
    [
      'up_to_date, last run cancelled',
      'up_to_date',
      null,
      makeSummary('CANCELLED', 1, false, 40),
      ['Up to date', 'Last run cancelled'],
    ],
    [
      'up_to_date while a pipeline runs',
      'up_to_date',
      makeSummary('RUNNING', 1, false, 41),
      makeSummary('SUCCESS', 3, false, 40),
      ['Step 1/3 · Inserting data…'],
    ],
  ]

  it.each(moduleCases)('module %s', (_name, status, active, last, texts) => {
    const context = testContext()
    const store = usePipelineState(context.pinia)
    store.hydrate(2025, { '2': { active, last } })
    const w = mountApp(
      ModuleConfig,
      {
        props: {
          module,
          types: [],
          year: 2025,
          facts: { moduleTypeId: 2, status, entryCount: 0, totalKgCo2eq: null, computedAt: null },
        },
      },
      context,
    )
    const badges = w.findAll('.status-badge').map((b) => b.text())
    expect(badges).toEqual(texts)
    w.unmount()
  })
})

describe('a module status read before the pipeline ended', () => {
  const module = { id: 2, key: 'professional_travel', label: 'Professional travel' }
  const running: Pipeline = { ...snapshot(), status: 'RUNNING', version: 4, finishedAt: null }

  it.each([
    ['recalculating', 'SUCCESS', 'Last run succeeded', 'up_to_date', ['Last run succeeded']],
    [
      'failed',
      'SUCCESS',
      'Last run succeeded',
      'failed',
      ['Last recalc failed', 'Last run succeeded'],
    ],
  ] as const)(
    'does not show a stale "%s" beside the end the store saw (%s)',
    async (status, ended, text, refetched, after) => {
      const context = testContext()
      const store = usePipelineState(context.pinia)
      store.applySnapshot(running)
      const factsAt = Date.now() - 1000
      const w = mountApp(
        ModuleConfig,
        {
          props: {
            module,
            types: [],
            year: 2025,
            facts: { moduleTypeId: 2, status, entryCount: 0, totalKgCo2eq: null, computedAt: null },
            factsAt,
          },
        },
        context,
      )
      const badges = () => w.findAll('.status-badge').map((b) => b.text())
      expect(badges()).toEqual(['Step 3/3 · Aggregating…'])

      store.applySnapshot({
        ...running,
        status: ended,
        version: 5,
        progress: { ...running.progress, done: true, hasError: false },
      })
      await w.vm.$nextTick()
      expect(badges()).toEqual([text])

      // The statuses refetched after the end: what they say counts again.
      await w.setProps({
        facts: {
          moduleTypeId: 2,
          status: refetched,
          entryCount: 0,
          totalKgCo2eq: null,
          computedAt: null,
        },
        factsAt: Date.now() + 1,
      })
      expect(badges()).toEqual(after)
      w.unmount()
    },
  )
})

describe('the diagnostic tooltip (WAI-ARIA tooltip pattern, WCAG 2.1 SC 1.4.13)', () => {
  let mounted: ReturnType<typeof mountApp> | undefined
  afterEach(() => mounted?.unmount())

  function mountBadge() {
    const context = testContext()
    usePipelineState(context.pinia).applySnapshot(snapshot())
    mounted = mountApp(
      PipelineBadge,
      { props: { pipelineId: 42 }, attachTo: document.body },
      context,
    )
    const badge = mounted.get<HTMLElement>('[data-testid="pipeline-badge"]')
    const tooltip = mounted.get<HTMLElement>('[role="tooltip"]')
    return { w: mounted, badge, tooltip }
  }

  it('is described by its tooltip, which holds the id, one line per job, and nothing focusable', () => {
    const { badge, tooltip } = mountBadge()
    expect(badge.attributes('tabindex')).toBe('0')
    expect(tooltip.attributes('id')).toBeTruthy()
    expect(badge.attributes('aria-describedby')).toBe(tooltip.attributes('id'))
    expect(tooltip.text()).toContain('Pipeline 42')
    expect(tooltip.text()).toContain('Copy')
    expect(tooltip.text()).toContain('CSV ingestion · FINISHED · WARNING · 4 rows stored, 1 failed')
    expect(tooltip.text()).toContain('Emission recalculation · FINISHED · SUCCESS')
    expect(tooltip.text()).toMatch(/minutes? ago/)
    const focusable = tooltip.element.querySelectorAll(
      'a[href], button, input, select, textarea, [tabindex], [contenteditable]',
    )
    expect(focusable).toHaveLength(0)
  })

  it('opens on focus and closes on Escape, focus staying on the badge', async () => {
    const { badge, tooltip } = mountBadge()
    expect(tooltip.isVisible()).toBe(false)

    badge.element.focus()
    await badge.trigger('focus')
    expect(document.activeElement).toBe(badge.element)
    expect(tooltip.isVisible()).toBe(true)

    await badge.trigger('keydown', { key: 'Escape' })
    expect(tooltip.isVisible()).toBe(false)
    expect(document.activeElement).toBe(badge.element)
  })

  it('closes on blur', async () => {
    const { badge, tooltip } = mountBadge()
    badge.element.focus()
    await badge.trigger('focus')
    expect(tooltip.isVisible()).toBe(true)
    badge.element.blur()
    await badge.trigger('blur')
    expect(tooltip.isVisible()).toBe(false)
  })

  it('opens on mouseenter and closes on mouseleave, without taking focus', async () => {
    const { badge, tooltip } = mountBadge()
    const before = document.activeElement
    await badge.trigger('mouseenter')
    expect(tooltip.isVisible()).toBe(true)
    expect(document.activeElement).toBe(before)
    expect(tooltip.element.contains(document.activeElement)).toBe(false)
    await badge.trigger('mouseleave')
    expect(tooltip.isVisible()).toBe(false)
  })

  it('stays open while the pointer moves from the badge onto the tooltip (hoverable)', async () => {
    const { badge, tooltip } = mountBadge()
    await badge.trigger('mouseenter')
    await badge.trigger('mouseleave', { relatedTarget: tooltip.element })
    expect(tooltip.isVisible()).toBe(true)
  })

  it('flips above the badge when there is no room below, staying inside the viewport', async () => {
    const { w, badge, tooltip } = mountBadge()
    const rect = (top: number, height: number, left = 20, width = 120) =>
      ({
        top,
        bottom: top + height,
        left,
        right: left + width,
        width,
        height,
        x: left,
        y: top,
      }) as DOMRect
    // A badge near the bottom of a 640x400 viewport (1280x800 at 200 % zoom).
    const wrapper = badge.element.parentElement!
    wrapper.getBoundingClientRect = () => rect(360, 24)
    tooltip.element.getBoundingClientRect = () => rect(384, 150, 20, 300)
    const size = { innerWidth: window.innerWidth, innerHeight: window.innerHeight }
    Object.assign(window, { innerWidth: 640, innerHeight: 400 })
    try {
      await badge.trigger('mouseenter')
      await flushPromises()
      expect(tooltip.attributes('data-placement')).toBe('above')
      expect(tooltip.classes()).toContain('pipeline-tooltip--above')

      await badge.trigger('mouseleave')
      wrapper.getBoundingClientRect = () => rect(100, 24)
      await badge.trigger('mouseenter')
      await flushPromises()
      expect(tooltip.attributes('data-placement')).toBe('below')
    } finally {
      Object.assign(window, size)
    }
    expect(w.exists()).toBe(true)
  })

  it('says why an emission recalculation ended with WARNING, under "Last run had warnings"', () => {
    const context = testContext()
    const recalc = makeRecalcJob(101, [makeRowWarning(3)], { entries: 232, parentJobId: 100 })
    const pipeline = makePipeline(42, 'PARTIAL', [
      makeJob(100, { result: 'SUCCESS', statusMessage: '3 rows stored' }),
      recalc,
    ])
    usePipelineState(context.pinia).applySnapshot(pipeline)
    mounted = mountApp(PipelineBadge, { props: { pipelineId: 42 } }, context)
    expect(mounted.get('[data-testid="pipeline-badge"]').text()).toBe('Last run had warnings')
    const lines = mounted.findAll('.pipeline-tooltip__line').map((l) => l.text())
    expect(lines).toContain('Upload of Plane trips, 2025 · Partial (warnings)')
    expect(lines.find((l) => l.startsWith('Emission recalculation'))).toMatch(
      /^Emission recalculation · FINISHED · WARNING · 1 entry without emission \(unknown airport ZZZ\) · (just now|\d+ minutes? ago)$/,
    )
  })

  it('says "Waiting for first update…" before any data', () => {
    mounted = mountApp(PipelineBadge, { props: { pipelineId: 99, summary: null } })
    expect(mounted.get('[role="tooltip"]').text()).toContain('Waiting for first update…')
  })
})
