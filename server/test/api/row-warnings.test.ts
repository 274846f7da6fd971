import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsvText } from '../helpers/csv.ts'
import { waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/**
 * Row warnings (SPEC §4): an entry whose emission cannot be computed (unknown airport, missing
 * factor) is kept, without emission, and the row is reported with the reason: in the dry run,
 * in the job that computed the emissions (WARNING, first warnings, warnings.csv), on both
 * paths (chained recalculation, or inline).
 */
const header =
  'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class'
const file = [header, 'LAB-CLIMATE,GVA,LHR,warn-1,economy', 'LAB-CLIMATE,GVA,ZZZ,warn-2,economy']
  .join('\n')
  .concat('\n')

describe.each([
  ['chained recalculation', 'true'],
  ['inline emissions', 'false'],
])('an upload with an unknown airport (%s)', (_path, pureAsync) => {
  let s: TestServer
  let manager: ApiClient
  beforeAll(async () => {
    s = await startTestServer({ BULK_PATH_PURE_ASYNC: pureAsync })
    manager = await s.signIn('manager@demo-a.test')
    await waitForIdle(manager)
  })
  afterAll(() => s.stop())

  it('is previewed with the row that will have no emission', async () => {
    const preview = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append', dryRun: 'true' },
      file,
    )
    expect(preview.status).toBe(200)
    expect(preview.body.report).toMatchObject({
      rowsTotal: 2,
      rowsValid: 2,
      rowsInvalid: 0,
      rowsWithoutEmission: 1,
      rowWarnings: [
        { row: 3, column: null, code: 'unknown_location', message: expect.stringContaining('ZZZ') },
      ],
    })
  })

  it('stores both rows, and reports the one without emission with its line and reason', async () => {
    const accepted = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append' },
      file,
    )
    const pipeline = await waitForPipeline(manager, accepted.body.pipelineId)
    expect(pipeline.status).toBe('PARTIAL')
    // The job that computed the emissions carries the warnings.
    const computing = pipeline.jobs.find((j) =>
      pureAsync === 'true' ? j.jobType === 'emission_recalc' : j.jobType === 'csv_ingest',
    )!
    expect(computing).toMatchObject({
      result: 'WARNING',
      statusMessage: expect.stringContaining('1 without emission'),
      firstWarnings: [
        { row: 3, column: null, code: 'unknown_location', message: expect.stringContaining('ZZZ') },
      ],
    })
    expect(computing.counts.rowsWithoutEmission).toBe(1)
    // Nothing failed: the failed rows are empty, the warnings hold the row in template order.
    const errors = await manager.get(`/api/v1/sync/jobs/${computing.id}/errors.csv`)
    // The header only (the CSV reader refuses a header without rows, as it should for uploads).
    expect((await errors.text()).trim().split('\r\n')).toHaveLength(1)
    const warnings = await manager.get(`/api/v1/sync/jobs/${computing.id}/warnings.csv`)
    expect(warnings.status).toBe(200)
    expect(warnings.headers.get('content-disposition')).toContain(
      `job-${computing.id}-warnings.csv`,
    )
    const [head, ...lines] = await parseCsvText(await warnings.text())
    expect(head!.slice(-3)).toEqual(['warning_column', 'warning_code', 'warning_message'])
    expect(lines).toHaveLength(1)
    const row = Object.fromEntries(head!.map((h, i) => [h, lines[0]![i]]))
    expect(row).toMatchObject({
      unit_institutional_id: 'LAB-CLIMATE',
      origin_iata: 'GVA',
      destination_iata: 'ZZZ',
      user_institutional_id: 'warn-2',
      warning_code: 'unknown_location',
    })
  })
})
