import { describe, expect, it } from 'vitest'
import { mountApp } from '../../testing/mount-app'
import { makeJob, makePipeline, makeRecalcJob, makeRowWarning } from '../../testing/pipelines'
import UploadResult from './UploadResult.vue'

/**
 * The end of an upload: the rows stored without emission come from the job that computed the
 * emissions (the emission_recalc chained after the ingestion), with its warnings.csv.
 */

const rows = { rowsTotal: 3, rowsInserted: 2, rowsFailed: 1, rowsWithoutEmission: 0 }

describe('UploadResult', () => {
  it('shows the rows without emission of the emission_recalc and downloads its warnings.csv', () => {
    const p = makePipeline(27, 'PARTIAL', [
      makeJob(53, { counts: rows, statusMessage: '2 rows stored, 1 failed' }),
      makeRecalcJob(54, [makeRowWarning(3)], { parentJobId: 53, entries: 232 }),
      makeJob(55, {
        jobType: 'aggregation',
        result: 'SUCCESS',
        counts: { rowsTotal: 382, rowsInserted: 382, rowsFailed: 0, rowsWithoutEmission: 1 },
      }),
    ])
    const w = mountApp(UploadResult, { props: { pipeline: p, dataEntryTypeId: 20 } })
    const text = w.text()
    expect(text).toContain('Partial (warnings)')
    expect(text).toContain('2 rows imported')
    expect(text).toContain('1 row failed')
    expect(text).toContain('1 row without emission')

    const notice = w.get('[data-testid="result-without-emission"]')
    expect(notice.classes()).toContain('notice-warning')
    expect(notice.text()).toContain('One row is stored but counts 0 kg CO2-eq')
    expect(
      notice
        .findAll('[data-testid="row-warning"]')
        .map((r) => r.findAll('td').map((c) => c.text())),
    ).toEqual([['3', 'unknown_location', 'unknown airport ZZZ']])

    const links = w.findAll('a').map((a) => [a.text(), a.attributes('href')])
    expect(links).toContainEqual([
      'Download the rows without emission',
      '/api/v1/sync/jobs/54/warnings.csv',
    ])
    expect(links).toContainEqual(['Download the failed rows', '/api/v1/sync/jobs/53/errors.csv'])
    // Only one download of rows without emission: the aggregation's count is a sum.
    expect(links.filter(([, href]) => href?.endsWith('/warnings.csv'))).toHaveLength(1)
  })

  it('says nothing of emissions when every row has one', () => {
    const p = makePipeline(28, 'SUCCESS', [
      makeJob(56, { result: 'SUCCESS', counts: { ...rows, rowsFailed: 0 } }),
      makeRecalcJob(57),
    ])
    const w = mountApp(UploadResult, { props: { pipeline: p, dataEntryTypeId: 20 } })
    expect(w.find('[data-testid="result-without-emission"]').exists()).toBe(false)
    expect(w.text()).not.toContain('without emission')
    expect(w.findAll('a').map((a) => a.attributes('href'))).not.toContainEqual(
      expect.stringMatching(/warnings\.csv$/),
    )
  })
})
