import type { Job, Pipeline, PipelineStatus } from '@carbon-sync/shared'
import { flushPromises } from '@vue/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { CatalogDataEntryType } from '../../api/catalog'
import type { PipelineListItem } from '../../api/sync'
import { setEventSourceImpl } from '../../composables/use-pipeline-stream'
import { useAnnouncer } from '../../stores/announcer'
import { usePipelineState } from '../../stores/pipeline-state'
import { useSession } from '../../stores/session'
import { eventually, mountApp, testContext, type AppContext } from '../../testing/mount-app'
import { makeJob, makePipeline, makeRecalcJob, makeRowWarning } from '../../testing/pipelines'
import { demoManager } from '../../testing/session'
import UploadCard from './UploadCard.vue'

/**
 * The card says what is stored for its type (the last load whose ingestion succeeded), and,
 * apart, what became of a later attempt that failed or was cancelled: the old rows are still
 * the ones in use then (SPEC §5.4).
 */

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

const rows = (inserted: number, failed: number) => ({
  rowsTotal: inserted + failed,
  rowsInserted: inserted,
  rowsFailed: failed,
  rowsWithoutEmission: 0,
})

/** The demo's earlier upload: 120 rows stored, then recalculated and aggregated. */
const storedUpload = makePipeline(30, 'SUCCESS', [
  makeJob(300, { result: 'SUCCESS', uploadId: 5, counts: rows(120, 0), statusMessage: null }),
  makeJob(301, { jobType: 'emission_recalc', result: 'SUCCESS', uploadId: null }),
  makeJob(302, { jobType: 'aggregation', result: 'SUCCESS', uploadId: null }),
])

function attempt(id: number, status: PipelineStatus, ingest: Partial<Job>, more: Job[] = []) {
  return makePipeline(id, status, [makeJob(id * 10, { uploadId: 6, ...ingest }), ...more])
}

const listItem = ({ jobs: _jobs, ...item }: Pipeline): PipelineListItem => item

// A running pipeline opens its stream; here it connects to nothing.
class SilentEventSource extends EventTarget {
  readyState = 0
  close() {
    this.readyState = 2
  }
}
// Nothing here should need the network (every pipeline is in the store already), unless a
// test stubs what it expects.
function noNetwork() {
  vi.stubGlobal('fetch', async (url: string) => {
    throw new Error(`unexpected request ${url}`)
  })
}
beforeAll(() => {
  setEventSourceImpl(SilentEventSource as unknown as typeof window.EventSource)
  noNetwork()
})
afterAll(() => {
  setEventSourceImpl(undefined)
  vi.unstubAllGlobals()
})

async function mountCard(pipelines: Pipeline[], context: AppContext = testContext()) {
  const store = usePipelineState(context.pinia)
  for (const p of pipelines) store.applySnapshot(p)
  context.queryClient.setQueryData(['upload', 5], 'plane-trips-2025.csv')
  context.queryClient.setQueryData(['upload', 6], 'plane-trips-fixed.csv')
  const w = mountApp(
    UploadCard,
    { props: { type: plane, year: 2025, pipelines: pipelines.map(listItem).reverse() } },
    context,
  )
  await flushPromises()
  return w
}

const links = (w: Awaited<ReturnType<typeof mountCard>>) =>
  w.findAll('a').map((a) => [a.attributes('aria-label') ?? a.text(), a.attributes('href')])

describe('UploadCard after an upload that did not store its rows', () => {
  it('a failed upload: the previous file is what is stored; the attempt and its failed rows apart', async () => {
    const failed = attempt(31, 'FAILED', {
      result: 'ERROR',
      statusMessage: 'No valid row: 3 rows failed',
      counts: rows(0, 3),
    })
    const w = await mountCard([storedUpload, failed])

    const stored = w.get('[data-testid="stored"]').text()
    expect(stored).toContain('plane-trips-2025.csv')
    expect(stored).toContain('120 rows')
    expect(stored).not.toMatch(/\b0 rows/)
    expect(stored).not.toContain('plane-trips-fixed.csv')

    const latest = w.get('[data-testid="latest-attempt"]').text()
    expect(latest).toContain('Latest attempt: plane-trips-fixed.csv failed')
    expect(latest).toContain('No valid row: 3 rows failed')
    expect(latest).toContain('the data above is still in use')

    expect(links(w)).toContainEqual([
      'Download the failed rows of the latest attempt of Plane trips as CSV',
      '/api/v1/sync/jobs/310/errors.csv',
    ])
    // The stored file downloads; it had no failed rows.
    expect(links(w)).toContainEqual([
      'Download the stored file of Plane trips',
      '/api/v1/sync/uploads/5/file',
    ])
    expect(links(w).map(([name]) => name)).not.toContain(
      'Download the failed rows of Plane trips as CSV',
    )
    // The badge tells how the latest one ended.
    expect(w.get('[data-testid="pipeline-badge"]').text()).toBe('Last recalc failed')
    w.unmount()
  })

  it('a cancelled upload: said as such, the previous rows still stored', async () => {
    const cancelled = attempt(31, 'CANCELLED', {
      result: 'CANCELLED',
      statusMessage: 'cancelled by an admin',
      counts: rows(0, 0),
    })
    const w = await mountCard([storedUpload, cancelled])
    expect(w.get('[data-testid="stored"]').text()).toContain('plane-trips-2025.csv')
    expect(w.get('[data-testid="latest-attempt"]').text()).toContain(
      'Latest attempt: plane-trips-fixed.csv was cancelled',
    )
    expect(links(w).map(([name]) => name)).not.toContain(
      'Download the failed rows of the latest attempt of Plane trips as CSV',
    )
    w.unmount()
  })

  it('a pipeline cancelled after its ingestion committed: its rows are the stored ones', async () => {
    const cancelledLater = attempt(
      31,
      'CANCELLED',
      { result: 'WARNING', statusMessage: '98 rows stored, 2 failed', counts: rows(98, 2) },
      [makeJob(311, { jobType: 'emission_recalc', result: 'CANCELLED', uploadId: null })],
    )
    const w = await mountCard([storedUpload, cancelledLater])
    const stored = w.get('[data-testid="stored"]').text()
    expect(stored).toContain('plane-trips-fixed.csv')
    expect(stored.replace(/\s+/g, ' ')).toContain('98 rows · 2 failed rows')
    expect(w.find('[data-testid="latest-attempt"]').exists()).toBe(false)
    expect(links(w)).toContainEqual([
      'Download the failed rows of Plane trips as CSV',
      '/api/v1/sync/jobs/310/errors.csv',
    ])
    w.unmount()
  })

  it('a first upload that failed: nothing stored yet, and why', async () => {
    const failed = attempt(31, 'FAILED', {
      result: 'ERROR',
      statusMessage: 'No valid row: 2 rows failed',
      counts: rows(0, 2),
    })
    const w = await mountCard([failed])
    expect(w.find('[data-testid="stored"]').exists()).toBe(false)
    expect(w.text()).toContain('No data loaded yet.')
    expect(w.get('[data-testid="latest-attempt"]').text()).toContain('plane-trips-fixed.csv failed')
    w.unmount()
  })
})

describe('UploadCard while a pipeline runs', () => {
  it('links to it by its pipeline id, named as a pipeline', async () => {
    const running = makePipeline(33, 'RUNNING', [
      makeJob(330, { state: 'RUNNING', result: null, finishedAt: null, uploadId: 6 }),
    ])
    const w = await mountCard([storedUpload, running])
    const link = w.findAll('a').find((a) => a.attributes('href') === '/pipelines/33')
    expect(link?.text()).toBe('Pipeline 33')
    w.unmount()
  })
})

describe('UploadCard with stored rows that have no emission (row warnings, SPEC §4)', () => {
  /** An upload whose recalculation left two entries without emission (unknown airports). */
  const withWarnings = makePipeline(34, 'PARTIAL', [
    makeJob(340, { result: 'SUCCESS', uploadId: 5, counts: rows(120, 0), statusMessage: null }),
    makeRecalcJob(341, [makeRowWarning(3), makeRowWarning(8, { message: 'unknown airport QQQ' })], {
      parentJobId: 340,
    }),
    makeJob(342, { jobType: 'aggregation', result: 'SUCCESS', uploadId: null }),
  ])

  it('says how many and downloads them from the job that computed the emissions', async () => {
    const w = await mountCard([withWarnings])
    expect(w.get('[data-testid="rows-without-emission"]').text()).toBe('2 rows without emission')
    expect(w.get('[data-testid="stored"]').text().replace(/\s+/g, ' ')).toContain(
      '120 rows · 2 rows without emission',
    )
    const download = w
      .findAll('a')
      .find(
        (a) =>
          a.attributes('aria-label') === 'Download the rows without emission of Plane trips as CSV',
      )
    expect(download?.text()).toContain('Rows without emission')
    expect(download?.attributes('href')).toBe('/api/v1/sync/jobs/341/warnings.csv')
    expect(download?.attributes('download')).toBeDefined()
    // A PARTIAL pipeline with warnings only: not a failure.
    expect(w.get('[data-testid="pipeline-badge"]').text()).toBe('Last run had warnings')
    w.unmount()
  })

  it('says nothing of it when every stored row has an emission', async () => {
    const w = await mountCard([storedUpload])
    expect(w.find('[data-testid="rows-without-emission"]').exists()).toBe(false)
    expect(links(w).map(([, href]) => href)).not.toContainEqual(
      expect.stringMatching(/warnings\.csv$/),
    )
    w.unmount()
  })

  it('takes a later recalculation of the type: the airports were fixed since', async () => {
    const fixed = makePipeline(
      35,
      'SUCCESS',
      [
        makeRecalcJob(350, [], { uploadId: null }),
        makeJob(351, { jobType: 'aggregation', result: 'SUCCESS' }),
      ],
      { kind: 'reference' },
    )
    const w = await mountCard([withWarnings, fixed])
    expect(w.find('[data-testid="rows-without-emission"]').exists()).toBe(false)
    // The stored file is still the upload's.
    expect(w.get('[data-testid="stored"]').text()).toContain('plane-trips-2025.csv')
    w.unmount()

    // A later recalculation of the whole module that still finds one.
    const moduleRecalc = makePipeline(
      36,
      'PARTIAL',
      [makeRecalcJob(360, [makeRowWarning(8)]), makeRecalcJob(361, [], { dataEntryTypeId: 21 })],
      { kind: 'recalculation', dataEntryTypeId: null },
    )
    const again = await mountCard([withWarnings, moduleRecalc])
    expect(again.get('[data-testid="rows-without-emission"]').text()).toBe('1 row without emission')
    expect(links(again)).toContainEqual([
      'Download the rows without emission of Plane trips as CSV',
      '/api/v1/sync/jobs/360/warnings.csv',
    ])
    again.unmount()
  })
})

describe('UploadCard Recalculate (SPEC §5.6)', () => {
  afterEach(noNetwork)

  function signIn(context: AppContext, permissions: string[]) {
    useSession(context.pinia).me = demoManager(permissions)
  }
  const recalculateButton = (w: Awaited<ReturnType<typeof mountCard>>) =>
    w.find('button[aria-label="Recalculate Plane trips, 2025"]')

  it('asks the server to recalculate the type for the year, and shows the new pipeline', async () => {
    const started = makePipeline(
      40,
      'NOT_STARTED',
      [
        makeRecalcJob(400, [], {
          state: 'QUEUED',
          result: null,
          startedAt: null,
          finishedAt: null,
        }),
      ],
      { kind: 'recalculation' },
    )
    const sent: { method: string; url: string; body: unknown }[] = []
    let answer!: () => void
    const answered = new Promise<void>((resolve) => (answer = resolve))
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      sent.push({
        method: init.method ?? 'GET',
        url,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
      })
      await answered
      return Response.json({ pipelineId: 40, jobIds: [400], pipeline: started })
    })
    const context = testContext()
    signIn(context, ['data_management.view', 'data_management.edit'])
    const w = await mountCard([storedUpload], context)

    expect(recalculateButton(w).attributes('disabled')).toBeUndefined()
    await recalculateButton(w).trigger('click')
    // Disabled while the request is on its way, so that one click starts one pipeline.
    await eventually(() => expect(recalculateButton(w).attributes('disabled')).toBeDefined())
    answer()

    await eventually(() =>
      expect(
        w
          .findAll('a')
          .find((a) => a.attributes('href') === '/pipelines/40')
          ?.text(),
      ).toBe('Pipeline 40'),
    )
    expect(sent).toEqual([
      {
        method: 'POST',
        url: '/api/v1/sync/recalculate',
        body: { year: 2025, moduleTypeId: 2, dataEntryTypeId: 20 },
      },
    ])
    await eventually(() =>
      expect(useAnnouncer(context.pinia).message).toBe(
        'Recalculation of Plane trips started (pipeline 40)',
      ),
    )
    expect(recalculateButton(w).attributes('disabled')).toBeUndefined()
    w.unmount()
  })

  it('is not offered to a user who cannot edit data', async () => {
    const context = testContext()
    signIn(context, ['data_management.view'])
    const w = await mountCard([storedUpload], context)
    expect(w.text()).toContain('plane-trips-2025.csv')
    expect(recalculateButton(w).exists()).toBe(false)
    w.unmount()
  })
})
