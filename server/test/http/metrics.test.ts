import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/** /metrics in the Prometheus text format, with what operators watch (SPEC §6, issue 3). */
let s: TestServer
let manager: ApiClient

beforeAll(async () => {
  s = await startTestServer()
  manager = await s.signIn('manager@demo-a.test')
  await waitForIdle(manager)
})
afterAll(() => s.stop())

async function metrics(): Promise<string> {
  const res = await fetch(`${s.url}/metrics`)
  expect(res.headers.get('content-type')).toMatch(/text\/plain/)
  return res.text()
}

function value(text: string, line: RegExp, absentIsZero = false): number {
  const m = line.exec(text)
  if (!m) {
    if (absentIsZero) return 0
    throw new Error(`no metric matching ${line}`)
  }
  return Number(m[1])
}

describe('/metrics', () => {
  it('counts jobs by type and state, times them, and shows claims, streams and the pool', async () => {
    // The demo seed ran 26 seed_ingest jobs in this process. A job is counted once its finish
    // has committed, a moment after the database (and so the API) shows it finished: poll.
    await expect
      .poll(async () =>
        value(
          await metrics(),
          /^carbon_sync_jobs_finished_total\{job_type="seed_ingest",result="SUCCESS"\} (\d+)/m,
          true,
        ),
      )
      .toBe(26)
    const text = await metrics()
    expect(
      value(
        text,
        /^carbon_sync_jobs\{job_type="seed_ingest",state="FINISHED",result="SUCCESS"\} (\d+)/m,
      ),
    ).toBe(26)
    expect(
      value(text, /^carbon_sync_job_duration_seconds_count\{job_type="aggregation"\} (\d+)/m),
    ).toBeGreaterThan(0)
    expect(value(text, /^carbon_sync_claim_latency_seconds_count (\d+)/m)).toBeGreaterThanOrEqual(
      26,
    )
    expect(text).toMatch(/^carbon_sync_sse_sessions 0$/m)
    expect(text).toMatch(/^carbon_sync_sse_channels 0$/m)
    expect(
      value(text, /^carbon_sync_db_pool_connections\{state="open"\} (\d+)/m),
    ).toBeGreaterThanOrEqual(0)
    expect(text).toMatch(/^carbon_sync_process_resident_memory_bytes \d+/m)
  })

  it('follows a pipeline run by the worker', async () => {
    const recalcs =
      /^carbon_sync_jobs_finished_total\{job_type="emission_recalc",result="SUCCESS"\} (\d+)/m
    const before = value(await metrics(), recalcs, true)
    const { body } = await manager.json<{ pipelineId: number }>(
      'POST',
      '/api/v1/sync/recalculate',
      {
        year: 2025,
        moduleTypeId: 8,
      },
    )
    expect((await waitForPipeline(manager, body.pipelineId)).status).toBe('SUCCESS')
    await expect.poll(async () => value(await metrics(), recalcs, true)).toBe(before + 1)
  })
})
