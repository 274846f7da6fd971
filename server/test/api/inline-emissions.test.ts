import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rows } from '../../src/db/client.ts'
import { waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/** BULK_PATH_PURE_ASYNC=false: emissions computed while ingesting, then straight to aggregation (SPEC §5.4). */
let s: TestServer
let manager: ApiClient

beforeAll(async () => {
  s = await startTestServer({ BULK_PATH_PURE_ASYNC: 'false' })
  manager = await s.signIn('manager@demo-a.test')
  await waitForIdle(manager)
})
afterAll(() => s.stop())

describe('inline emissions', () => {
  it('computes emissions during the ingestion, keeps overrides, and chains the aggregation directly', async () => {
    const csv = [
      'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class,kg_co2eq',
      'LAB-CLIMATE,GVA,LHR,inline-1,economy,',
      'LAB-CLIMATE,GVA,LHR,inline-2,economy,0',
      'LAB-CLIMATE,GVA,QQQ,inline-3,economy,',
    ].join('\n')
    const res = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append' },
      csv,
    )
    const p = await waitForPipeline(manager, res.body.pipelineId)
    expect(p.jobs.map((j) => j.jobType)).toEqual(['csv_ingest', 'aggregation'])
    expect(p.jobs[0]!.counts).toEqual({
      rowsTotal: 3,
      rowsInserted: 3,
      rowsFailed: 0,
      rowsWithoutEmission: 1,
    })
    const entries = await rows<{ who: string; kg: number | null; code: string }>(
      s.t.database.db,
      sql`SELECT e.data ->> 'user_institutional_id' AS who, m.kg_co2eq::float8 AS kg, m.emission_code AS code
          FROM data_entries e JOIN entry_emissions m ON m.entry_id = e.id WHERE e.job_id = ${res.body.jobId} ORDER BY who`,
    )
    expect(entries).toEqual([
      { who: 'inline-1', kg: expect.any(Number), code: 'computed' },
      { who: 'inline-2', kg: 0, code: 'override' },
      { who: 'inline-3', kg: null, code: 'unknown_location' },
    ])
    expect(entries[0]!.kg).toBeGreaterThan(0)
  })

  it('deletes the emissions of the entries a replace deletes, with no recalculation after it', async () => {
    const emissions = () =>
      rows<{ orphans: number; stored: number }>(
        s.t.database.db,
        sql`SELECT count(*) FILTER (WHERE e.id IS NULL)::int AS orphans, count(e.id)::int AS stored
            FROM entry_emissions m LEFT JOIN data_entries e ON e.id = m.entry_id
            WHERE m.institution_id = 1 AND m.data_entry_type_id = 20 AND m.year = 2025`,
      )
    const [before] = await emissions()
    expect(before!.stored).toBeGreaterThan(3)
    const res = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'replace' },
      'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\nLAB-CLIMATE,GVA,CDG,only-1,economy\n',
    )
    const p = await waitForPipeline(manager, res.body.pipelineId)
    expect(p.jobs.map((j) => j.jobType)).toEqual(['csv_ingest', 'aggregation'])
    expect(await emissions()).toEqual([{ orphans: 0, stored: 1 }])
  })
})
