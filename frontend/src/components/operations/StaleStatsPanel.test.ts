import { afterEach, describe, expect, it, vi } from 'vitest'
import { eventually, mountApp } from '../../testing/mount-app'
import StaleStatsPanel from './StaleStatsPanel.vue'

afterEach(() => vi.unstubAllGlobals())

function answer(status: number, body: unknown) {
  vi.stubGlobal('fetch', async () => Response.json(body, { status }))
}

describe('StaleStatsPanel', () => {
  it('shows a 404 as the error it is, not as "not available yet"', async () => {
    answer(404, { error: { code: 'not_found', message: 'No route GET /sync/health/stale-stats' } })
    const w = mountApp(StaleStatsPanel)
    await eventually(() => expect(w.find('[role="alert"]').exists()).toBe(true))
    expect(w.get('[role="alert"]').text()).toBe(
      'The stale statistics could not be loaded: No route GET /sync/health/stale-stats',
    )
    expect(w.text()).not.toContain('not available')
    w.unmount()
  })

  it('lists each stale module with why', async () => {
    answer(200, {
      items: [
        {
          moduleTypeId: 2,
          year: 2025,
          whyStale: 'last_aggregation_failed',
          lastFinishedAggregationAt: null,
          lastAggregationJobId: 12,
        },
      ],
    })
    const w = mountApp(StaleStatsPanel)
    await eventually(() => expect(w.text()).toContain('Professional travel, 2025'))
    expect(w.text()).toContain('The last aggregation failed.')
    expect(w.text()).toContain('(job 12)')
    w.unmount()
  })

  it.each([
    ['no_aggregation_ever', 'Never aggregated: no statistics were ever computed for this year.'],
    ['last_aggregation_failed', 'The last aggregation failed.'],
    [
      'last_aggregation_too_old',
      'Data changed after the last aggregation, which is more than 60 minutes old.',
    ],
    [
      'pending_aggregation_stuck',
      'An aggregation has been waiting or running for more than 60 minutes.',
    ],
  ])('explains why %s is stale', async (whyStale, explanation) => {
    answer(200, {
      items: [
        {
          moduleTypeId: 2,
          year: 2025,
          whyStale,
          lastFinishedAggregationAt: null,
          lastAggregationJobId: null,
        },
      ],
    })
    const w = mountApp(StaleStatsPanel)
    await eventually(() => expect(w.text()).toContain('Professional travel, 2025'))
    const item = w.get('.stale-panel__item strong + div')
    expect(item.text()).toBe(explanation)
    w.unmount()
  })
})
