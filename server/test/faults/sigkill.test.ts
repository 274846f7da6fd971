import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstRow } from '../../src/db/client.ts'
import { waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { testEngine } from '../helpers/database.ts'
import { waitFor } from '../helpers/engine.ts'
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/**
 * A worker process killed with SIGKILL in the middle of an ingestion (SPEC §11): its
 * transaction dies with it, so no partial row is ever visible; another worker process
 * reclaims the job once the stale window has passed and runs it to completion. Worker
 * processes share a PostgreSQL database; PGlite serves one process only.
 */
const staleMs = 5000
let s: TestServer
let manager: ApiClient
const workers: ServerProcess[] = []

function worker(): ServerProcess {
  const w = startServerProcess('worker', {
    DATABASE_URL: s.t.url!,
    HEARTBEAT_INTERVAL_MS: '200',
    STALE_AFTER_MS: String(staleMs),
    RECLAIM_INTERVAL_MS: '300',
    POLL_INTERVAL_MS: '100',
    PROGRESS_INTERVAL_MS: '50',
  })
  workers.push(w)
  return w
}

function bigPlaneFile(rows: number): string {
  const airports = ['GVA', 'ZRH', 'LHR', 'CDG', 'FRA', 'AMS', 'MAD', 'FCO', 'VIE', 'JFK']
  const units = ['LAB-CLIMATE', 'LAB-ENERGY', 'LAB-BIOCHEM']
  const lines = [
    'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class,departure_date,number_of_trips',
  ]
  for (let i = 0; i < rows; i++) {
    const from = airports[i % airports.length]!
    const to = airports[(i * 7 + 3) % airports.length]!
    lines.push(
      `${units[i % 3]},${from},${to === from ? 'LHR' : to},t-${i},economy,2025-0${(i % 9) + 1}-1${i % 10},${(i % 3) + 1}`,
    )
  }
  return lines.join('\n') + '\n'
}

// PostgreSQL only: another process re-runs the job, and PGlite belongs to one process.
describe.skipIf(testEngine === 'pglite')('a worker killed mid-ingestion', () => {
  beforeAll(async () => {
    // The API runs in the test process; the jobs run in worker processes only.
    s = await startTestServer(
      { UPLOAD_MAX_BYTES: String(100 * 1024 * 1024), STALE_AFTER_MS: String(staleMs) },
      'api',
    )
    manager = await s.signIn('manager@demo-a.test')
  }, 120_000)
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL')
    await Promise.all(workers.map((w) => w.exited))
    await s?.stop()
  })

  it('leaves no partial row, and another process runs the job to completion', async () => {
    const first = worker()
    await waitForIdle(manager, 120_000)
    const rows = 300_000
    const accepted = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append' },
      bigPlaneFile(rows),
    )
    expect(accepted.status).toBe(202)
    const jobId: number = accepted.body.jobId
    const db = s.t.database.db
    const job = () =>
      firstRow<{
        state: string
        processed: number | null
        attempts: number
        locked_by: string | null
        result: string | null
        message: string | null
      }>(
        db,
        sql`SELECT state, (meta -> 'progress' ->> 'processed')::int AS processed, attempts, locked_by, result, status_message AS message FROM jobs WHERE id = ${jobId}`,
      )
    await waitFor(
      async () => ((await job())?.processed ?? 0) > 20_000,
      60_000,
      'the ingestion to be well under way',
    )
    const before = await job()
    expect(before!.state).toBe('RUNNING')
    first.kill('SIGKILL')
    const killedAt = Date.now()
    await first.exited

    const visible = async () =>
      (await firstRow<{ n: number }>(
        db,
        sql`SELECT count(*)::int AS n FROM data_entries WHERE job_id = ${jobId}`,
      ))!.n
    expect(await visible()).toBe(0)

    worker()
    const done = await waitFor(
      async () => {
        const j = await job()
        return j?.state === 'FINISHED' ? j : undefined
      },
      120_000,
      'the job to finish on the second worker',
    )
    if (done.result !== 'SUCCESS') {
      const ev = await manager.json('GET', `/api/v1/sync/jobs/${jobId}/events`)
      console.log(
        JSON.stringify(ev.body, null, 1),
        workers.map((w) => w.output()).join('\n=====\n'),
      )
    }
    expect([done.result, done.message]).toEqual(['SUCCESS', expect.anything()])
    // At least the one reclaim; a loaded machine may starve a heartbeat and cause another.
    expect(done.attempts).toBeGreaterThanOrEqual(2)
    expect(done.locked_by).not.toBe(before!.locked_by)
    // Reclaimed after the stale window, then re-run from the start of the file.
    expect(Date.now() - killedAt).toBeGreaterThan(staleMs)
    expect(await visible()).toBe(rows)
    const distinct = await firstRow<{ n: number }>(
      db,
      sql`SELECT count(DISTINCT data ->> 'user_institutional_id')::int AS n FROM data_entries WHERE job_id = ${jobId}`,
    )
    expect(distinct!.n).toBe(rows)
    const pipeline = await waitForPipeline(manager, accepted.body.pipelineId, 120_000)
    expect(pipeline.status).toBe('SUCCESS')
    const events = await manager.json<{ events: { state: string; message: string | null }[] }>(
      'GET',
      `/api/v1/sync/jobs/${jobId}/events`,
    )
    const states = events.body.events.map((e) => e.state)
    expect(states.slice(0, 3)).toEqual(['QUEUED', 'RUNNING', 'QUEUED'])
    expect(states.at(-1)).toBe('FINISHED')
    expect(events.body.events[2]!.message).toMatch(/reclaimed/)
  }, 240_000)

  it('hands a running job back on SIGTERM after the grace period, and exits cleanly', async () => {
    // The workers of the test before must not take this job.
    for (const old of workers.splice(0)) old.kill('SIGKILL')
    const w = startServerProcess('worker', {
      DATABASE_URL: s.t.url!,
      HEARTBEAT_INTERVAL_MS: '200',
      STALE_AFTER_MS: String(staleMs),
      SHUTDOWN_GRACE_MS: '300',
      PROGRESS_INTERVAL_MS: '50',
    })
    workers.push(w)
    const accepted = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append' },
      bigPlaneFile(300_000),
    )
    const jobId: number = accepted.body.jobId
    const db = s.t.database.db
    const job = () =>
      firstRow<{
        state: string
        processed: number | null
        attempts: number
        locked_by: string | null
      }>(
        db,
        sql`SELECT state, (meta -> 'progress' ->> 'processed')::int AS processed, attempts, locked_by FROM jobs WHERE id = ${jobId}`,
      )
    await waitFor(
      async () => ((await job())?.processed ?? 0) > 10_000,
      60_000,
      'the ingestion to be under way',
    )
    w.kill('SIGTERM')
    expect(await w.exited).toBe(0)
    const released = await job()
    expect(released).toMatchObject({ state: 'QUEUED', attempts: 0, locked_by: null })
    const visible = await firstRow<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM data_entries WHERE job_id = ${jobId}`,
    )
    expect(visible!.n).toBe(0)
    // It is queued again at once (no stale window to wait for): another worker takes it, with
    // the attempt the shutdown gave back, and runs it to the end.
    worker()
    const taken = await waitFor(
      async () => {
        const j = await job()
        return j?.state !== 'QUEUED' ? j : undefined
      },
      30_000,
      'another worker to take the job',
    )
    expect(taken.attempts).toBe(1)
    await waitFor(
      async () => (await job())?.state === 'FINISHED',
      120_000,
      'the job to finish on the other worker',
    )
    expect(
      await firstRow<{ result: string }>(db, sql`SELECT result FROM jobs WHERE id = ${jobId}`),
    ).toEqual({ result: 'SUCCESS' })
  }, 240_000)
})
