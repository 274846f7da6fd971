import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstRow, rows } from '../../src/db/client.ts'
import { haversineKm, moduleReport, waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/** One path through the product: a data manager uploads a file and the statistics follow (SPEC §5.4). */
let s: TestServer
let manager: ApiClient
const year = 2025

beforeAll(async () => {
  s = await startTestServer({ UPLOAD_MAX_BYTES: '65536' })
  manager = await s.signIn('manager@demo-a.test')
  await waitForIdle(manager)
})
afterAll(() => s.stop())

const db = () => s.t.database.db

async function factor(dataEntryTypeId: number, key: string) {
  const row = await firstRow<{ values: Record<string, number> }>(
    db(),
    sql`SELECT f."values" FROM factors f JOIN institutions i ON i.id = f.institution_id
        WHERE i.name = 'Demo University A' AND f.data_entry_type_id = ${dataEntryTypeId} AND f.year = ${year}
          AND f.classification_key = ${key}`,
  )
  if (!row) throw new Error(`no demo factor ${dataEntryTypeId} ${key}`)
  return row.values
}

async function airport(code: string) {
  const row = await firstRow<{ latitude: number; longitude: number }>(
    db(),
    sql`SELECT latitude, longitude FROM locations WHERE institution_id = 1 AND iata_code = ${code}`,
  )
  return row!
}

// First: it looks at the seed's own results, before the uploads below replace or recalculate them.
describe('the demo seed', () => {
  it('computes emissions while ingesting, though BULK_PATH_PURE_ASYNC is on (SPEC §5.4)', async () => {
    expect(s.running.seed?.seeded).toBe(true)
    const seeded = await rows<{ types: string[]; computed_by_seed: boolean }>(
      db(),
      sql`SELECT array_agg(j.job_type ORDER BY j.id) AS types,
                 bool_and(NOT EXISTS (
                   SELECT 1 FROM data_entries e LEFT JOIN entry_emissions m ON m.entry_id = e.id
                   WHERE e.job_id = root.id AND (m.job_id IS NULL OR m.job_id <> root.id))) AS computed_by_seed
          FROM pipelines p
          JOIN jobs root ON root.pipeline_id = p.id AND root.job_type = 'seed_ingest'
          JOIN pipeline_jobs pj ON pj.pipeline_id = p.id
          JOIN jobs j ON j.id = pj.job_id
          WHERE p.kind = 'seed'
          GROUP BY p.id`,
    )
    expect(seeded.length).toBeGreaterThan(10)
    // Straight to the aggregation (its own, or one it joined): no recalculation in between.
    for (const p of seeded) {
      expect(p.types).toEqual(['seed_ingest', 'aggregation'])
      expect(p.computed_by_seed).toBe(true)
    }
  })
})

describe('a data upload', () => {
  it('stores the valid rows, reports the bad one, and moves the report by the expected amount', async () => {
    const before = (await moduleReport(manager, year, 2))!
    const csv = [
      'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class,number_of_trips',
      'LAB-CLIMATE,GVA,LHR,traveller-1,economy,2',
      'LAB-CLIMATE,GVA,LHR,traveller-2,ECONOMY,abc',
    ].join('\n')
    const preview = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year, mode: 'append', dryRun: 'true' },
      csv,
    )
    expect(preview.status).toBe(200)
    expect(preview.body.report).toMatchObject({ rowsTotal: 2, rowsValid: 1, rowsInvalid: 1 })
    expect(preview.body.report.errors).toEqual([
      {
        row: 3,
        column: 'number_of_trips',
        code: 'invalid_number',
        message: expect.stringContaining('"abc"'),
      },
    ])

    const accepted = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year, mode: 'append' },
      csv,
      'trips march.csv',
    )
    expect(accepted.status).toBe(202)
    const pipeline = await waitForPipeline(manager, accepted.body.pipelineId)
    expect(pipeline.status).toBe('PARTIAL')
    expect(pipeline.jobs.map((j) => [j.jobType, j.result])).toEqual([
      ['csv_ingest', 'WARNING'],
      ['emission_recalc', 'SUCCESS'],
      ['aggregation', 'SUCCESS'],
    ])
    expect(pipeline.jobs[0]!.counts).toEqual({
      rowsTotal: 2,
      rowsInserted: 1,
      rowsFailed: 1,
      rowsWithoutEmission: 0,
    })

    // Hand computation of the one stored row: (great circle + 95 km) x 2 trips x ef x rfi.
    const gva = await airport('GVA')
    const lhr = await airport('LHR')
    const km = (haversineKm(gva.latitude, gva.longitude, lhr.latitude, lhr.longitude) + 95) * 2
    const f = await factor(20, 'short_to_medium_haul\u001feconomy')
    const expected = km * f['ef_kg_co2eq_per_km']! * f['rfi_adjustment']!
    const after = (await moduleReport(manager, year, 2))!
    expect(after.totalKgCo2eq - before.totalKgCo2eq).toBeCloseTo(expected, 6)
    expect(after.entryCount).toBe(before.entryCount + 1)

    const errors = await manager.get(`/api/v1/sync/jobs/${accepted.body.jobId}/errors.csv`)
    expect(errors.headers.get('content-type')).toMatch(/text\/csv/)
    expect(
      (await errors.text())
        .replace(/^\ufeff/, '')
        .trim()
        .split('\r\n'),
    ).toEqual([
      'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class,number_of_trips,error_column,error_code,error_message',
      'LAB-CLIMATE,GVA,LHR,traveller-2,ECONOMY,abc,number_of_trips,invalid_number,"""abc"" is not a number"',
    ])

    expect(pipeline.jobs[0]!.firstErrors).toEqual([
      {
        row: 3,
        column: 'number_of_trips',
        code: 'invalid_number',
        message: '"abc" is not a number',
      },
    ])
    const upload = await manager.json<Record<string, unknown>>(
      'GET',
      `/api/v1/sync/uploads/${accepted.body.uploadId}`,
    )
    expect(upload.body).toMatchObject({
      fileName: 'trips march.csv',
      sizeBytes: csv.length,
      kind: 'data',
      dataEntryTypeId: 20,
      createdBy: 'Marc Manager (Demo A)',
    })
    const file = await manager.get(`/api/v1/sync/uploads/${accepted.body.uploadId}/file`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-disposition')).toContain('trips march.csv')
    expect(await file.text()).toBe(csv)
  })

  it('replaces nothing when every row of a replace is invalid', async () => {
    const entriesBefore = await rows<{ n: number }>(
      db(),
      sql`SELECT count(*)::int AS n FROM data_entries WHERE data_entry_type_id = 31`,
    )
    const reportBefore = await moduleReport(manager, year, 3)
    const csv =
      'unit_institutional_id,name,quantity,unit\nLAB-ENERGY,natural_gas,-5,kWh\nLAB-ENERGY,natural_gas,12 kWh,kWh\n'
    const accepted = await manager.upload(
      { moduleTypeId: 3, dataEntryTypeId: 31, year, mode: 'replace' },
      csv,
    )
    expect(accepted.status).toBe(202)
    const pipeline = await waitForPipeline(manager, accepted.body.pipelineId)
    expect(pipeline.status).toBe('FAILED')
    expect(pipeline.jobs).toHaveLength(1)
    expect(pipeline.jobs[0]).toMatchObject({
      result: 'ERROR',
      counts: { rowsFailed: 2, rowsInserted: 0 },
    })
    const entriesAfter = await rows<{ n: number }>(
      db(),
      sql`SELECT count(*)::int AS n FROM data_entries WHERE data_entry_type_id = 31`,
    )
    expect(entriesAfter).toEqual(entriesBefore)
    expect(await moduleReport(manager, year, 3)).toEqual(reportBefore)
    // The failed rows can still be downloaded to fix them.
    const errors = await (
      await manager.get(`/api/v1/sync/jobs/${accepted.body.jobId}/errors.csv`)
    ).text()
    expect(errors).toContain('out_of_range')
    expect(errors).toContain('unit suffix')
  })

  it('keeps an override of 0 through the asynchronous recalculation and a factor change', async () => {
    const csv = [
      'unit_institutional_id,name,quantity,unit,kg_co2eq',
      'LAB-ENERGY,natural_gas,1000,kWh,0',
      'LAB-ENERGY,natural_gas,2000,kWh,',
    ].join('\n')
    const accepted = await manager.upload(
      { moduleTypeId: 3, dataEntryTypeId: 31, year, mode: 'replace' },
      csv,
    )
    const pipeline = await waitForPipeline(manager, accepted.body.pipelineId)
    expect(pipeline.status).toBe('SUCCESS')
    const entries = () =>
      rows<{ quantity: number; kg: number | null; code: string }>(
        db(),
        sql`SELECT (e.data ->> 'quantity')::float8 AS quantity, m.kg_co2eq::float8 AS kg, m.emission_code AS code
            FROM data_entries e JOIN entry_emissions m ON m.entry_id = e.id
            WHERE e.data_entry_type_id = 31 AND e.year = ${year} AND e.institution_id = 1 ORDER BY quantity`,
      )
    const gas = await factor(31, 'natural_gas\u001fkwh')
    expect(await entries()).toEqual([
      { quantity: 1000, kg: 0, code: 'override' },
      { quantity: 2000, kg: 2000 * gas['ef_kg_co2eq_per_unit']!, code: 'computed' },
    ])
    expect((await moduleReport(manager, year, 3))!.totalKgCo2eq).toBeCloseTo(
      2000 * gas['ef_kg_co2eq_per_unit']!,
      6,
    )

    // New factor: the recalculation changes the computed entry, never the override.
    const factors = await manager.upload(
      { kind: 'factors', moduleTypeId: 3, dataEntryTypeId: 31, year },
      'name,unit,ef_kg_co2eq_per_unit\nnatural_gas,kWh,0.5\n',
    )
    expect(factors.status).toBe(202)
    const recalculated = await waitForPipeline(manager, factors.body.pipelineId)
    expect(recalculated.jobs.map((j) => j.jobType)).toEqual([
      'factor_ingest',
      'emission_recalc',
      'aggregation',
    ])
    expect(await entries()).toEqual([
      { quantity: 1000, kg: 0, code: 'override' },
      { quantity: 2000, kg: 1000, code: 'computed' },
    ])
    expect((await moduleReport(manager, year, 3))!.totalKgCo2eq).toBe(1000)
  })

  it('replaces members with the same ids, and refuses appending an id already stored', async () => {
    const members = (rows: string[]) =>
      ['unit_institutional_id,name,sius_code,user_institutional_id,fte', ...rows].join('\n')
    const first = await manager.upload(
      { moduleTypeId: 1, dataEntryTypeId: 1, year, mode: 'replace' },
      members(['LAB-CLIMATE,Ada,51,rep-1,0.5', 'LAB-CLIMATE,Bob,52,rep-2,1']),
    )
    expect((await waitForPipeline(manager, first.body.pipelineId)).status).toBe('SUCCESS')
    // The same people again, replacing: the ids are those of the entries being replaced.
    const again = await manager.upload(
      { moduleTypeId: 1, dataEntryTypeId: 1, year, mode: 'replace' },
      members(['LAB-CLIMATE,Ada,51,rep-1,0.8', 'LAB-CLIMATE,Bob,52,rep-2,1']),
    )
    const replaced = await waitForPipeline(manager, again.body.pipelineId)
    expect(replaced.status).toBe('SUCCESS')
    const fte = await firstRow<{ fte: number }>(
      db(),
      sql`SELECT (data ->> 'fte')::float8 AS fte FROM data_entries WHERE data ->> 'user_institutional_id' = 'rep-1'`,
    )
    expect(fte!.fte).toBe(0.8)
    // The replaced entries took their emissions with them; the new ones have theirs.
    const emissions = await firstRow<{ orphans: number; members: number }>(
      db(),
      sql`SELECT count(*) FILTER (WHERE e.id IS NULL)::int AS orphans,
                 count(*) FILTER (WHERE e.data ->> 'user_institutional_id' LIKE 'rep-%')::int AS members
          FROM entry_emissions m LEFT JOIN data_entries e ON e.id = m.entry_id`,
    )
    expect(emissions).toEqual({ orphans: 0, members: 2 })
    // Appending one of them again is a row error, not a second entry.
    const dup = await manager.upload(
      { moduleTypeId: 1, dataEntryTypeId: 1, year, mode: 'append' },
      members(['LAB-CLIMATE,Ada again,51,rep-1,0.2', 'LAB-CLIMATE,Cleo,51,rep-3,0.2']),
    )
    const appended = await waitForPipeline(manager, dup.body.pipelineId)
    expect(appended.jobs[0]).toMatchObject({
      result: 'WARNING',
      firstErrors: [expect.objectContaining({ row: 2, code: 'duplicate' })],
    })
  })

  it('stores nothing on a dry run', async () => {
    const count = async () =>
      (await firstRow<{ n: number }>(
        db(),
        sql`SELECT (SELECT count(*) FROM uploads) + (SELECT count(*) FROM pipelines) AS n`,
      ))!.n
    const before = await count()
    const res = await manager.upload(
      { moduleTypeId: 1, dataEntryTypeId: 1, year, dryRun: 'true' },
      'unit_institutional_id,name,sius_code,user_institutional_id,fte\nLAB-CLIMATE,Ada,51,x-1,0.5\nLAB-CLIMATE,Bob,51,x-1,0.5\n',
    )
    expect(res.status).toBe(200)
    expect(res.body.report.errors).toEqual([
      {
        row: 3,
        column: 'user_institutional_id',
        code: 'duplicate',
        message: expect.stringContaining('line 2'),
      },
    ])
    expect(res.body.report.impact.afterKgCo2eq).toBeGreaterThan(0)
    expect(await count()).toBe(before)
  })
})

describe('file rules', () => {
  const plane = { moduleTypeId: 2, dataEntryTypeId: 20, year, dryRun: 'true' }

  it('reads a BOM, comments, semicolons, CRLF and quoted fields', async () => {
    const csv =
      '\ufeff# exported from the travel tool\r\n' +
      'Unit_Institutional_ID ; origin_iata;destination_iata;user_institutional_id;cabin_class;note\r\n' +
      '# a comment between rows\r\n' +
      'LAB-CLIMATE;GVA;LHR;u-1;economy;"conference; ""COP"", with\r\na line break"\r\n' +
      '\r\n' +
      'LAB-CLIMATE;LHR;GVA;u-1;economy;\r\n'
    const res = await manager.upload(plane, csv)
    expect(res.status).toBe(200)
    expect(res.body.report).toMatchObject({
      rowsTotal: 2,
      rowsValid: 2,
      rowsInvalid: 0,
      warnings: [],
    })
  })

  it('rejects a file that is not UTF-8 with the offset of the first bad byte', async () => {
    const head = Buffer.from(
      'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\nLAB-CLIMATE,GVA,LHR,M',
    )
    const bytes = Buffer.concat([head, Buffer.from([0xfc]), Buffer.from('ller,economy\n')])
    const res = await manager.upload(plane, bytes)
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('unprocessable_file')
    expect(res.body.error.details.reasons[0]).toMatchObject({
      code: 'invalid_utf8',
      offset: head.length,
    })
    expect(res.body.error.message).toMatch(/UTF-8/)
  })

  it.each([
    ['an empty file', '', 'empty_file'],
    [
      'a header without rows',
      'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\n',
      'no_rows',
    ],
  ])('rejects %s', async (_what, csv, code) => {
    const res = await manager.upload(plane, csv)
    expect(res.status).toBe(422)
    expect(res.body.error.details.reasons[0].code).toBe(code)
  })

  it('rejects a NUL byte anywhere in the file, even past the rows the preflight reads', async () => {
    const rowsBefore = Array.from(
      { length: 300 },
      (_, i) => `LAB-CLIMATE,GVA,LHR,nul-${i},economy`,
    ).join('\n')
    const head = Buffer.from(
      `unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\n${rowsBefore}\nLAB-CLIMATE,GVA,LHR,x`,
    )
    const bytes = Buffer.concat([head, Buffer.from([0]), Buffer.from(',economy\n')])
    const res = await manager.upload({ ...plane, dryRun: 'false', mode: 'append' }, bytes)
    expect(res.status).toBe(422)
    expect(res.body.error.details.reasons[0]).toMatchObject({
      code: 'binary_file',
      offset: head.length,
    })
  })

  it('gives back the stored file byte for byte, accents and all', async () => {
    const csv = Buffer.from(
      'unit_institutional_id,origin_name,origin_country_code,destination_name,destination_country_code,user_institutional_id,cabin_class,note\n' +
        'LAB-CLIMATE,Genève,CH,Zürich HB,CH,tr-é,second,réunion à Zürich 😀\n',
    )
    const res = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 21, year, mode: 'append' },
      csv,
    )
    expect(res.status).toBe(202)
    const file = await manager.get(`/api/v1/sync/uploads/${res.body.uploadId}/file`)
    expect(Buffer.from(await file.arrayBuffer()).equals(csv)).toBe(true)
    await waitForPipeline(manager, res.body.pipelineId)
  })

  it('rejects missing required columns, naming them', async () => {
    const res = await manager.upload(plane, 'origin_iata,destination_iata\nGVA,LHR\n')
    expect(res.status).toBe(422)
    expect(res.body.error.message).toContain('user_institutional_id')
    expect(res.body.error.details.reasons[0].columns).toEqual([
      'unit_institutional_id',
      'user_institutional_id',
      'cabin_class',
    ])
  })

  it('refuses a file over the size limit with 413', async () => {
    const res = await manager.upload(plane, 'x'.repeat(70_000))
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('refuses a body that is not multipart with 415, and bad fields with 400', async () => {
    const json = await manager.post('/api/v1/sync/uploads', { moduleTypeId: 2 })
    expect(json.status).toBe(415)
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe(
      'unsupported_media_type',
    )
    const badYear = await manager.upload({ ...plane, year: 1999 }, 'a\n1\n')
    expect(badYear.status).toBe(400)
    expect(badYear.body.error.details.fields[0].field).toBe('year')
    const wrongModule = await manager.upload({ ...plane, moduleTypeId: 3 }, 'a\n1\n')
    expect(wrongModule.status).toBe(400)
  })
})

describe('the JSON error shape', () => {
  it('covers unknown routes, wrong methods and malformed JSON', async () => {
    const unknown = await manager.json<{ error: { code: string } }>('GET', '/api/v1/nothing-here')
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    const method = await manager.request('PUT', '/api/v1/sync/recalculate')
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('POST')
    expect(((await method.json()) as { error: { code: string } }).error.code).toBe(
      'method_not_allowed',
    )
    const malformed = await manager.request('POST', '/api/v1/sync/recalculate', {
      body: '{"year": 20',
      headers: { 'content-type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { error: unknown }).error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('JSON'),
    })
  })
})
