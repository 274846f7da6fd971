import { sql } from 'drizzle-orm'
import { dataEntryTypes, dataFormatOfType } from '@carbon-sync/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstRow, rows } from '../../src/db/client.ts'
import { waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/** Reference data, templates and the small read endpoints (SPEC §3, §5.3, §6). */
let s: TestServer
let manager: ApiClient

beforeAll(async () => {
  s = await startTestServer()
  manager = await s.signIn('manager@demo-a.test')
  await waitForIdle(manager)
})
afterAll(() => s.stop())

const db = () => s.t.database.db

describe('reference uploads', () => {
  const airports = (lat: string) =>
    `transport_mode,name,latitude,longitude,iata_code,country_code,municipality\nplane,Geneva Airport,${lat},6.1089,GVA,CH,Geneva\n`

  it('recalculate the travel type when a location moved, and nothing when nothing changed', async () => {
    const moved = await manager.upload(
      { kind: 'reference', moduleTypeId: 2, dataEntryTypeId: 20, year: 2025 },
      airports('46.3'),
    )
    expect(moved.status).toBe(202)
    const p = await waitForPipeline(manager, moved.body.pipelineId)
    expect(p.jobs.map((j) => [j.jobType, j.result])).toEqual([
      ['reference_ingest', 'SUCCESS'],
      ['emission_recalc', 'SUCCESS'],
      ['aggregation', 'SUCCESS'],
    ])
    const gva = await firstRow<{ latitude: number }>(
      db(),
      sql`SELECT latitude FROM locations WHERE iata_code = 'GVA' AND institution_id = 1`,
    )
    expect(gva!.latitude).toBe(46.3)

    const same = await manager.upload(
      { kind: 'reference', moduleTypeId: 2, dataEntryTypeId: 20, year: 2025 },
      airports('46.3'),
    )
    const unchanged = await waitForPipeline(manager, same.body.pipelineId)
    expect(unchanged.jobs.map((j) => j.jobType)).toEqual(['reference_ingest'])
    expect(unchanged.jobs[0]!.statusMessage).toContain('nothing to recalculate')
  })

  it('refuse a row of the wrong kind and keep the others', async () => {
    const res = await manager.upload(
      { kind: 'reference', moduleTypeId: 2, dataEntryTypeId: 21, year: 2025 },
      'transport_mode,name,latitude,longitude,iata_code,country_code\ntrain,Fribourg/Freiburg,46.8032,7.1513,,CH\nplane,Somewhere,1,1,SMW,\ntrain,No Country,1,1,,\n',
    )
    const p = await waitForPipeline(manager, res.body.pipelineId)
    expect(p.jobs[0]).toMatchObject({
      result: 'WARNING',
      counts: { rowsInserted: 1, rowsFailed: 2 },
    })
    const csv = await (await manager.get(`/api/v1/sync/jobs/${res.body.jobId}/errors.csv`)).text()
    expect(csv).toContain('this upload is for train stations')
    expect(csv).toContain('country_code is required')
  })

  it('refuse the later rows of an airport, station or currency named twice, and keep the first', async () => {
    const airportsTwice = await manager.upload(
      { kind: 'reference', moduleTypeId: 2, dataEntryTypeId: 20, year: 2025 },
      'transport_mode,name,latitude,longitude,iata_code\nplane,Zurich,47.46,8.55,ZRH\nplane,Zurich again,47.5,8.5,zrh\n',
    )
    const a = await waitForPipeline(manager, airportsTwice.body.pipelineId)
    expect(a.jobs[0]).toMatchObject({
      result: 'WARNING',
      counts: { rowsInserted: 1, rowsFailed: 1 },
      firstErrors: [
        {
          row: 3,
          column: 'iata_code',
          code: 'duplicate',
          message: 'the airport ZRH is already on line 2',
        },
      ],
    })
    const stationsTwice = await manager.upload(
      { kind: 'reference', moduleTypeId: 2, dataEntryTypeId: 21, year: 2025 },
      'transport_mode,name,latitude,longitude,country_code\ntrain,Olten,47.35,7.9,CH\ntrain, olten ,47.35,7.9,ch\n',
    )
    const t = await waitForPipeline(manager, stationsTwice.body.pipelineId)
    expect(t.jobs[0]).toMatchObject({ result: 'WARNING', counts: { rowsFailed: 1 } })
    expect(t.jobs[0]!.firstErrors[0]).toMatchObject({ row: 3, code: 'duplicate' })
    const ratesTwice = await manager.upload(
      { kind: 'reference', moduleTypeId: 5, dataEntryTypeId: 60, year: 2025 },
      'currency,rate_to_chf\neur,0.95\nEUR,0.9\n',
    )
    const r = await waitForPipeline(manager, ratesTwice.body.pipelineId)
    expect(r.jobs[0]).toMatchObject({ result: 'WARNING', counts: { rowsFailed: 1 } })
    expect(r.jobs[0]!.firstErrors[0]).toMatchObject({
      row: 3,
      column: 'currency',
      code: 'duplicate',
    })
  })

  it('recalculate every spend type of the year when exchange rates change', async () => {
    const res = await manager.upload(
      { kind: 'reference', moduleTypeId: 5, dataEntryTypeId: 60, year: 2025 },
      'currency,rate_to_chf\neur,0.5\n',
    )
    const p = await waitForPipeline(manager, res.body.pipelineId)
    const recalcs = p.jobs
      .filter((j) => j.jobType === 'emission_recalc')
      .map((j) => j.dataEntryTypeId)
    expect(recalcs.sort((a, b) => a! - b!)).toEqual([40, 60, 61, 62, 63, 64, 65, 66])
    // One aggregation per module at most, however many recalculations asked for one.
    const aggregations = p.jobs
      .filter((j) => j.jobType === 'aggregation')
      .map((j) => j.moduleTypeId)
    expect(new Set(aggregations)).toEqual(new Set([5, 7]))
    expect(p.status).toBe('SUCCESS')
  })
})

describe('read endpoints', () => {
  it('serve a template with comments, header and an example row', async () => {
    const res = await manager.get('/api/v1/catalog/templates/plane.csv')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/csv/)
    const text = await res.text()
    expect(text.split('\n').filter((l) => l.startsWith('#')).length).toBeGreaterThan(5)
    expect(text).toContain('unit_institutional_id,origin_iata,destination_iata')
    expect((await manager.get('/api/v1/catalog/templates/student.csv')).status).toBe(404)
  })

  it('the demo seed gives statistics in modules 1 to 5, 7 and 8, and its locations', async () => {
    const report = await manager.json<{
      modules: { moduleTypeId: number; totalKgCo2eq: number }[]
    }>('GET', '/api/v1/reports/2025')
    const total = new Map(report.body.modules.map((m) => [m.moduleTypeId, m.totalKgCo2eq]))
    for (const moduleTypeId of [1, 2, 3, 4, 5, 7, 8])
      expect(total.get(moduleTypeId), `module ${moduleTypeId}`).toBeGreaterThan(0)
    const counts = await rows<{ transport_mode: string; n: number }>(
      db(),
      sql`SELECT transport_mode, count(*)::int AS n FROM locations
          WHERE institution_id = (SELECT institution_id FROM users WHERE email = 'manager@demo-a.test')
          GROUP BY transport_mode ORDER BY transport_mode`,
    )
    const n = Object.fromEntries(counts.map((c) => [c.transport_mode, c.n]))
    expect(n['plane']).toBeGreaterThanOrEqual(200)
    expect(n['train']).toBeGreaterThanOrEqual(100)
  })

  it('list units, years and the status of each module', async () => {
    const units = await manager.json<{ institutionalId: string }[]>('GET', '/api/v1/units')
    expect(units.body.map((u) => u.institutionalId)).toContain('LAB-CLIMATE')
    const years = await manager.json<{ years: number[] }>('GET', '/api/v1/years')
    const current = new Date().getUTCFullYear()
    expect(years.body.years).toEqual(expect.arrayContaining([current, current - 1]))
    const modules = await manager.json<{ modules: { moduleTypeId: number; status: string }[] }>(
      'GET',
      `/api/v1/years/${current - 1}/modules`,
    )
    const status = Object.fromEntries(modules.body.modules.map((m) => [m.moduleTypeId, m.status]))
    expect(status[6]).toBe('incomplete')
    expect(status[8]).toBe('up_to_date')
    const catalog = await manager.json<{ dataEntryTypes: { id: number; supported: boolean }[] }>(
      'GET',
      '/api/v1/catalog',
    )
    expect(catalog.body.dataEntryTypes.find((t) => t.id === 20)?.supported).toBe(true)
    expect(catalog.body.dataEntryTypes.find((t) => t.id === 2)?.supported).toBe(false)
  })
})

describe('the job history and the current job', () => {
  it('refuses to edit or delete job events', async () => {
    const refusal = (query: Promise<unknown>) =>
      query.then(
        () => 'accepted',
        (error: { cause?: { message?: string } }) => error.cause?.message ?? String(error),
      )
    expect(await refusal(db().execute(sql`UPDATE job_events SET message = 'rewritten'`))).toMatch(
      /append-only \(UPDATE refused\)/,
    )
    expect(await refusal(db().execute(sql`DELETE FROM job_events`))).toMatch(
      /append-only \(DELETE refused\)/,
    )
  })

  it('keeps one current job per key: the newest finished', async () => {
    const csv = 'unit_institutional_id,name,quantity,unit\nLAB-ENERGY,natural_gas,10,kWh\n'
    const first = await manager.upload({ moduleTypeId: 3, dataEntryTypeId: 31, year: 2025 }, csv)
    await waitForPipeline(manager, first.body.pipelineId)
    const second = await manager.upload({ moduleTypeId: 3, dataEntryTypeId: 31, year: 2025 }, csv)
    await waitForPipeline(manager, second.body.pipelineId)
    const current = await rows<{ id: number }>(
      db(),
      sql`SELECT id FROM jobs WHERE is_current AND job_type = 'csv_ingest' AND data_entry_type_id = 31 AND year = 2025 AND institution_id = 1`,
    )
    expect(current).toEqual([{ id: second.body.jobId }])
  })
})

const supported = dataEntryTypes.filter((t) => dataFormatOfType[t.id] !== undefined)
const year = new Date().getUTCFullYear() - 1

interface DryRunReport {
  rowsTotal: number
  rowsValid: number
  rowsWithoutEmission: number
  errors: unknown[]
  rowWarnings: { message: string }[]
  warnings: unknown[]
  impact: { beforeKgCo2eq: number; afterKgCo2eq: number }
}

/**
 * A template downloaded and uploaded as it is, example row included, is the first thing a new
 * data manager tries. In the demo institution its dry run must show a clean file whose row
 * adds emissions, not a warning about an unknown station or a missing factor.
 */
describe('templates in the demo institution', () => {
  it.each(supported.map((t) => [t.key, t.id, t.moduleTypeId] as const))(
    '%s (%i): the example row passes a dry run and adds emissions',
    async (key, dataEntryTypeId, moduleTypeId) => {
      const template = await manager.get(`/api/v1/catalog/templates/${key}.csv`)
      expect(template.status).toBe(200)
      const res = await manager.upload(
        { moduleTypeId, dataEntryTypeId, year, mode: 'append', dryRun: 'true' },
        await template.text(),
        `${key}.csv`,
      )
      expect(res.status).toBe(200)
      const report = res.body.report as DryRunReport
      expect(report.errors).toEqual([])
      expect(report.rowWarnings.map((w) => w.message)).toEqual([])
      expect(report.warnings).toEqual([])
      expect(report.rowsValid).toBe(report.rowsTotal)
      expect(report.rowsTotal).toBeGreaterThanOrEqual(1)
      expect(report.rowsWithoutEmission).toBe(0)
      expect(report.impact.afterKgCo2eq).toBeGreaterThan(report.impact.beforeKgCo2eq)
    },
  )
})
