import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstRow } from '../../src/db/client.ts'
import { waitForIdle } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/** What admins and the data management page read: active pipelines, lists, stale statistics (SPEC §6). */
let s: TestServer
let manager: ApiClient
let admin: ApiClient
const statements: string[] = []

beforeAll(async () => {
  s = await startTestServer({}, 'all', { onQuery: (q) => statements.push(q) })
  manager = await s.signIn('manager@demo-a.test')
  admin = await s.signIn('admin@demo-a.test')
  await waitForIdle(manager)
})
afterAll(() => s.stop())

const db = () => s.t.database.db
const institutionA = async () =>
  (await firstRow<{ id: number }>(
    db(),
    sql`SELECT id FROM institutions WHERE name = 'Demo University A'`,
  ))!.id

/** Statements the request ran, once the process is quiet (the worker and watcher may be polling). */
async function statementsOf(request: () => Promise<unknown>): Promise<string[]> {
  await waitForIdle(manager)
  statements.length = 0
  await request()
  return statements.filter(
    (q) =>
      !/FROM jobs\s+WHERE state = 'QUEUED'|heartbeat_at|FROM pipelines WHERE id = ANY|FROM jobs WHERE id = ANY|FROM pipeline_jobs/.test(
        q,
      ),
  )
}

describe('active pipelines', () => {
  it('answers per module with active and last, from one statement whatever the number of modules', async () => {
    const three = await statementsOf(() =>
      manager.json('GET', '/api/v1/sync/active-pipelines?year=2025&modules=1,2,3'),
    )
    const ids = Array.from({ length: 50 }, (_, i) => i + 1).join(',')
    const fifty = await statementsOf(() =>
      manager.json('GET', `/api/v1/sync/active-pipelines?year=2025&modules=${ids}`),
    )
    // One statement answers, whatever the number of modules (the other statements of the
    // process, the worker's polls, are not the request's).
    const answering = (qs: string[]) =>
      qs.filter((q) => q.includes('FROM pipelines') && q.includes('unnest('))
    expect(answering(three)).toHaveLength(1)
    expect(answering(fifty)).toHaveLength(1)

    const res = await manager.json<{
      modules: Record<string, { active: unknown; last: { status: string; version: number } | null }>
    }>('GET', '/api/v1/sync/active-pipelines?year=2025&modules=1,2,6')
    expect(Object.keys(res.body.modules)).toEqual(['1', '2', '6'])
    expect(res.body.modules['1']).toMatchObject({ active: null, last: { status: 'SUCCESS' } })
    expect(res.body.modules['6']).toEqual({ active: null, last: null })
  })

  it('shows a pipeline as active while it runs, beside the last one that ended', async () => {
    const a = await institutionA()
    const progress = {
      phase: 2,
      phasesTotal: 3,
      phaseLabel: 'Recalculating emissions',
      done: false,
      hasError: false,
      processed: 3,
      total: 7,
    }
    const running = (await firstRow<{ id: number }>(
      db(),
      sql`INSERT INTO pipelines (institution_id, kind, module_type_id, year, status, version, progress)
          VALUES (${a}, 'recalculation', 8, 2025, 'RUNNING', 4, ${JSON.stringify(progress)}::jsonb) RETURNING id`,
    ))!.id
    const res = await manager.json<{
      modules: Record<string, { active: unknown; last: { status: string } | null }>
    }>('GET', '/api/v1/sync/active-pipelines?year=2025&modules=8')
    expect(res.body.modules['8']).toEqual({
      active: { pipelineId: running, status: 'RUNNING', version: 4, progress },
      last: expect.objectContaining({ status: 'SUCCESS' }),
    })
    await db().execute(sql`UPDATE pipelines SET status = 'CANCELLED' WHERE id = ${running}`)
  })

  it.each([
    ['more than 50 modules', Array.from({ length: 51 }, (_, i) => i + 1).join(',')],
    ['a module id that is not an integer', '1,2.5'],
    ['a word', '1,x'],
  ])('refuses %s with 400', async (_what, modules) => {
    const res = await manager.json<{ error: { code: string } }>(
      'GET',
      `/api/v1/sync/active-pipelines?year=2025&modules=${modules}`,
    )
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } })
  })

  it('answers an empty list with no modules', async () => {
    expect(
      (await manager.json('GET', '/api/v1/sync/active-pipelines?year=2025&modules=')).body,
    ).toEqual({ modules: {} })
  })
})

describe('the pipeline list', () => {
  it('filters and pages with a cursor, newest first', async () => {
    const first = await manager.json<{
      items: { id: number; moduleTypeId: number; year: number; status: string }[]
      nextCursor: string | null
    }>('GET', '/api/v1/sync/pipelines?year=2025&status=SUCCESS&limit=5')
    expect(first.body.items).toHaveLength(5)
    expect(first.body.items.every((p) => p.year === 2025 && p.status === 'SUCCESS')).toBe(true)
    const second = await manager.json<{ items: { id: number }[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/sync/pipelines?year=2025&status=SUCCESS&limit=5&cursor=${first.body.nextCursor}`,
    )
    const ids = [...first.body.items, ...second.body.items].map((p) => p.id)
    expect(ids).toEqual([...ids].sort((x, y) => y - x))
    expect(new Set(ids).size).toBe(10)
    const module2 = await manager.json<{ items: { moduleTypeId: number }[] }>(
      'GET',
      '/api/v1/sync/pipelines?moduleTypeId=2',
    )
    expect(module2.body.items.length).toBeGreaterThan(0)
    expect(module2.body.items.every((p) => p.moduleTypeId === 2)).toBe(true)
    expect((await manager.json('GET', '/api/v1/sync/pipelines?cursor=nope')).status).toBe(400)
    const planes = await manager.json<{ items: { dataEntryTypeId: number; kind: string }[] }>(
      'GET',
      '/api/v1/sync/pipelines?dataEntryTypeId=20&kind=seed',
    )
    expect(planes.body.items).toEqual([
      expect.objectContaining({ dataEntryTypeId: 20, kind: 'seed' }),
    ])
  })
})

describe('stale statistics', () => {
  const stale = async (minutes = 1) =>
    await admin.json<{ items: { moduleTypeId: number; year: number; whyStale: string }[] }>(
      'GET',
      `/api/v1/sync/health/stale-stats?older_than_minutes=${minutes}`,
    )

  it('is fresh after the demo seed, admin only, and at least one minute', async () => {
    expect((await stale()).body.items).toEqual([])
    expect((await manager.json('GET', '/api/v1/sync/health/stale-stats')).status).toBe(403)
    expect(
      (await admin.json('GET', '/api/v1/sync/health/stale-stats?older_than_minutes=0')).status,
    ).toBe(400)
  })

  it('names each of the four reasons', async () => {
    const a = await institutionA()
    const unit = (await firstRow<{ id: number }>(
      db(),
      sql`SELECT id FROM units WHERE institution_id = ${a} LIMIT 1`,
    ))!.id
    const anyJob = (await firstRow<{ id: number }>(
      db(),
      sql`SELECT id FROM jobs WHERE institution_id = ${a} LIMIT 1`,
    ))!.id
    // no_aggregation_ever: entries of module 8 for 2030, never aggregated.
    await db().execute(sql`
      INSERT INTO data_entries (institution_id, unit_id, module_type_id, data_entry_type_id, year, source, job_id, data)
      VALUES (${a}, ${unit}, 8, 50, 2030, 'csv', ${anyJob}, '{"category":"CO2","quantity":1}')`)
    // last_aggregation_failed: the newest aggregation of module 1 in 2025 failed.
    await db()
      .execute(sql`UPDATE jobs SET result = 'ERROR' WHERE institution_id = ${a} AND job_type = 'aggregation'
      AND module_type_id = 1 AND year = 2025 AND is_current`)
    // last_aggregation_too_old: module 3's data changed after its last aggregation, 5 minutes ago.
    await db()
      .execute(sql`UPDATE jobs SET finished_at = now() - interval '10 minutes' WHERE institution_id = ${a}
      AND job_type = 'aggregation' AND module_type_id = 3 AND year = 2025`)
    await db()
      .execute(sql`UPDATE jobs SET finished_at = now() - interval '5 minutes' WHERE institution_id = ${a}
      AND job_type = 'seed_ingest' AND module_type_id = 3 AND year = 2025`)
    // pending_aggregation_stuck: an aggregation of module 4 queued 5 minutes ago, never picked up.
    const pipeline = (await firstRow<{ id: number }>(
      db(),
      sql`SELECT id FROM pipelines WHERE institution_id = ${a} AND module_type_id = 4 LIMIT 1`,
    ))!.id
    await db().execute(sql`
      INSERT INTO jobs (pipeline_id, job_type, institution_id, module_type_id, year, target_type, ingestion_method, state,
                        run_after, created_at)
      VALUES (${pipeline}, 'aggregation', ${a}, 4, 2025, 'data_entries', 'computed', 'QUEUED',
              now() + interval '1 day', now() - interval '5 minutes')`)

    const items = (await stale()).body.items
    const why = Object.fromEntries(items.map((i) => [`${i.moduleTypeId}/${i.year}`, i.whyStale]))
    expect(why).toEqual({
      '8/2030': 'no_aggregation_ever',
      '1/2025': 'last_aggregation_failed',
      '3/2025': 'last_aggregation_too_old',
      '4/2025': 'pending_aggregation_stuck',
    })
    expect(items.find((i) => i.moduleTypeId === 1)).toMatchObject({
      lastAggregationJobId: expect.any(Number),
      lastFinishedAggregationAt: expect.any(String),
    })
    // With a 10-minute threshold, the 5-minute-old ones are not stale yet; the failure still is.
    const patient = Object.fromEntries(
      (await stale(10)).body.items.map((i) => [`${i.moduleTypeId}/${i.year}`, i.whyStale]),
    )
    expect(patient).toEqual({
      '8/2030': 'no_aggregation_ever',
      '1/2025': 'last_aggregation_failed',
    })
  })
})
