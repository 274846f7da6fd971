import net from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '@carbon-sync/shared'
import { claimJob } from '../../src/db/queries/claim-job.ts'
import { readJobsById } from '../../src/db/queries/read-jobs.ts'
import { finishInTransaction, type JobOutcome } from '../../src/domain/pipeline/finish-job.ts'
import { refreshPipelinesOfJobs } from '../../src/domain/pipeline/refresh-pipelines.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'
import { StreamRecorder, type ReceivedEvent } from '../helpers/sse.ts'

/**
 * The streams of SPEC §7 through a real HTTP server and a real EventSource client. The server
 * runs without a worker: the test moves the jobs itself, so that every change is known.
 */
let s: TestServer
let manager: ApiClient
let otherManager: ApiClient
const pod = 'sse-test:1:x#1'

beforeAll(async () => {
  s = await startTestServer(
    { SEED_DEMO: 'true', SSE_KEEPALIVE_MS: '300', SSE_POLL_INTERVAL_MS: '100' },
    'api',
  )
  manager = await s.signIn('manager@demo-a.test')
  otherManager = await s.signIn('manager@demo-b.test')
})
afterAll(() => s.stop())

const db = () => s.t.database

/** Claims the next queued job of a type, as a worker would. */
async function claim(jobType: string) {
  return db().control.transaction(async (tx) => {
    const job = await claimJob(tx, pod, [jobType])
    if (!job) throw new Error(`no queued ${jobType}`)
    await refreshPipelinesOfJobs(tx, [job.id])
    return job
  })
}

async function finish(jobId: number, outcome: JobOutcome) {
  const [job] = await readJobsById(db().db, [jobId])
  await db().db.transaction((tx) => finishInTransaction(tx, job!, pod, outcome))
}

const aggregation = {
  jobType: 'aggregation' as const,
  moduleTypeId: 8,
  dataEntryTypeId: null,
  year: 2025,
  targetType: 'data_entries' as const,
  ingestionMethod: 'computed' as const,
}

/** A recalculation pipeline of module 8 (one type, 50), waiting in the queue. */
async function newPipeline(client = manager): Promise<Pipeline> {
  const { status, body } = await client.json<{ pipeline: Pipeline }>(
    'POST',
    '/api/v1/sync/recalculate',
    { year: 2025, moduleTypeId: 8 },
  )
  expect(status).toBe(202)
  return body.pipeline
}

const streamUrl = (id: number) => `${s.url}/api/v1/sync/pipelines/${id}/stream`
const cookieOf = (c: ApiClient) => ({ cookie: c.cookie! })

describe('a pipeline stream', () => {
  it('sends a snapshot, an update per change with the version as id, then end, and closes', async () => {
    const p = await newPipeline()
    const rec = new StreamRecorder(streamUrl(p.id), cookieOf(manager))
    await rec.waitFor((e) => e.length === 1, 5000, 'the snapshot')
    const recalc = await claim('emission_recalc')
    await rec.waitFor((e) => e.some((x) => x.data.status === 'RUNNING'))
    await finish(recalc.id, { result: 'SUCCESS', message: null, children: [aggregation] })
    const agg = await claim('aggregation')
    await finish(agg.id, { result: 'SUCCESS', message: null })
    await rec.waitFor((e) => e.some((x) => x.type === 'end'), 5000, 'end')
    const types = rec.types()
    expect(types[0]).toBe('snapshot')
    expect(types.at(-1)).toBe('end')
    expect(types.slice(1, -1).every((t) => t === 'update')).toBe(true)
    const ids = rec.events.map((e) => Number(e.id))
    expect(ids).toEqual(rec.events.map((e) => e.data.version))
    expect([...ids].sort((a, b) => a - b)).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(rec.events.at(-1)!.data).toMatchObject({ status: 'SUCCESS', progress: { done: true } })
    expect(rec.events.at(-1)!.data.jobs).toHaveLength(2)
  })

  it('resumes from Last-Event-ID with only what was missed, and stops once ended', async () => {
    const p = await newPipeline()
    const first = new StreamRecorder(streamUrl(p.id), cookieOf(manager))
    await first.waitFor((e) => e.length === 1)
    const seen = first.events[0]!.data.version
    first.close()
    const recalc = await claim('emission_recalc')
    await finish(recalc.id, { result: 'SUCCESS', message: null, children: [aggregation] })
    const resumed = new StreamRecorder(streamUrl(p.id), {
      ...cookieOf(manager),
      'last-event-id': String(seen),
    })
    await resumed.waitFor((e) => e.length === 1)
    expect(resumed.events[0]!.type).toBe('update')
    expect(resumed.events[0]!.data.version).toBeGreaterThan(seen)
    const agg = await claim('aggregation')
    await finish(agg.id, { result: 'SUCCESS', message: null })
    await resumed.waitFor((e) => e.at(-1)?.type === 'end')
    expect(resumed.types().filter((t) => t === 'snapshot')).toEqual([])
    const last = resumed.events.at(-1)!
    // Resuming an ended stream that has everything: 204, EventSource stops.
    const res = await fetch(streamUrl(p.id), {
      headers: { ...cookieOf(manager), 'last-event-id': last.id },
    })
    expect(res.status).toBe(204)
  })

  it('has retry 3000, keep-alive comments, and the stream headers, uncompressed', async () => {
    const p = await newPipeline()
    const controller = new AbortController()
    const res = await fetch(streamUrl(p.id), {
      headers: { ...cookieOf(manager), 'accept-encoding': 'gzip, br' },
      signal: controller.signal,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    expect(res.headers.get('content-encoding')).toBeNull()
    const reader = res.body!.getReader()
    let text = ''
    const deadline = Date.now() + 3000
    while (!/\n:\s*\n/.test(text) && Date.now() < deadline) {
      const { value } = await reader.read()
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    expect(text.startsWith('retry:3000\n')).toBe(true)
    expect(text).toMatch(/event:snapshot\nid:\d+\ndata:\{/)
    expect(text).toMatch(/\n:\s*\n/)
  })
})

describe('before a stream opens', () => {
  it('answers 401, 403 and 404 as JSON, never as an event stream', async () => {
    const p = await newPipeline()
    const anonymous = await fetch(streamUrl(p.id))
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toMatch(/application\/json/)
    const foreign = await fetch(streamUrl(p.id), { headers: cookieOf(otherManager) })
    expect(foreign.status).toBe(403)
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    const missing = await fetch(streamUrl(999_999), { headers: cookieOf(manager) })
    expect(missing.status).toBe(404)
    const jobForeign = await fetch(`${s.url}/api/v1/sync/jobs/${p.jobs[0]!.id}/stream`, {
      headers: cookieOf(otherManager),
    })
    expect(jobForeign.status).toBe(403)
    expect(jobForeign.headers.get('content-type')).toMatch(/application\/json/)
  })

  it('accepts an API token in ?token= for scripts', async () => {
    const p = await newPipeline()
    const created = await manager.json<{ token: string }>('POST', '/api/v1/auth/tokens', {
      name: 'sse test',
    })
    const rec = new StreamRecorder(`${streamUrl(p.id)}?token=${created.body.token}`)
    await rec.waitFor((e) => e.length === 1)
    expect(rec.events[0]!.type).toBe('snapshot')
    rec.close()
    const bad = await fetch(`${streamUrl(p.id)}?token=cs_nope`)
    expect(bad.status).toBe(401)
  })
})

describe('the watcher', () => {
  async function gauge(name: string): Promise<number> {
    const text = await (await fetch(`${s.url}/metrics`)).text()
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text)
    return Number(m?.[1])
  }

  it('drops a session at once and the channel with the last viewer', async () => {
    const p = await newPipeline()
    const sessions0 = await gauge('carbon_sync_sse_sessions')
    const channels0 = await gauge('carbon_sync_sse_channels')
    const a = new StreamRecorder(streamUrl(p.id), cookieOf(manager))
    const b = new StreamRecorder(streamUrl(p.id), cookieOf(manager))
    await a.waitFor((e) => e.length === 1)
    await b.waitFor((e) => e.length === 1)
    expect(await gauge('carbon_sync_sse_sessions')).toBe(sessions0 + 2)
    expect(await gauge('carbon_sync_sse_channels')).toBe(channels0 + 1)
    a.close()
    await waitGauge('carbon_sync_sse_sessions', sessions0 + 1, 1000)
    expect(await gauge('carbon_sync_sse_channels')).toBe(channels0 + 1)
    b.close()
    await waitGauge('carbon_sync_sse_sessions', sessions0, 1000)
    await waitGauge('carbon_sync_sse_channels', channels0, 1000)
  })

  it('keeps no session of a client that left before its stream opened', async () => {
    const p = await newPipeline()
    const sessions0 = await gauge('carbon_sync_sse_sessions')
    const channels0 = await gauge('carbon_sync_sse_channels')
    const { hostname, port } = new URL(s.url)
    // Each client sends its request and hangs up 0 to 9 ms later: mostly while the route is
    // still reading the database, before the session exists.
    await Promise.all(
      Array.from(
        { length: 60 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const socket = net.connect(Number(port), hostname, () => {
              socket.write(
                `GET /api/v1/sync/pipelines/${p.id}/stream HTTP/1.1\r\nHost: ${hostname}\r\n` +
                  `Cookie: ${manager.cookie}\r\nAccept: text/event-stream\r\n\r\n`,
              )
              setTimeout(() => socket.destroy(), i % 10)
            })
            socket.on('close', () => resolve())
            socket.on('error', () => resolve())
          }),
      ),
    )
    await waitGauge('carbon_sync_sse_sessions', sessions0, 1000)
    await waitGauge('carbon_sync_sse_channels', channels0, 1000)
  })

  async function waitGauge(name: string, value: number, withinMs: number) {
    const deadline = Date.now() + withinMs
    while ((await gauge(name)) !== value) {
      if (Date.now() > deadline)
        throw new Error(`${name} is ${await gauge(name)}, not ${value}, after ${withinMs} ms`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  it('reads a changed pipeline once per change, however many watch it', async () => {
    const hub = s.running.hub!
    const readsFor = async (viewers: number) => {
      const p = await newPipeline()
      const recs = Array.from(
        { length: viewers },
        () => new StreamRecorder(streamUrl(p.id), cookieOf(manager)),
      )
      await Promise.all(recs.map((r) => r.waitFor((e) => e.length === 1)))
      const before = hub.stats.snapshotReads
      const recalc = await claim('emission_recalc')
      await Promise.all(
        recs.map((r) => r.waitFor((e) => e.some((x) => x.data.status === 'RUNNING'))),
      )
      const reads = hub.stats.snapshotReads - before
      await finish(recalc.id, { result: 'SUCCESS', message: null })
      await Promise.all(recs.map((r) => r.waitFor((e) => e.at(-1)?.type === 'end')))
      return reads
    }
    const one = await readsFor(1)
    const many = await readsFor(40)
    expect(one).toBeGreaterThanOrEqual(1)
    expect(many).toBe(one)
  })
})

describe('a job stream', () => {
  it('follows one job from snapshot to end', async () => {
    const p = await newPipeline()
    const jobId = p.jobs[0]!.id
    const rec = new StreamRecorder(`${s.url}/api/v1/sync/jobs/${jobId}/stream`, cookieOf(manager))
    await rec.waitFor((e) => e.length === 1)
    await claim('emission_recalc')
    await rec.waitFor((e) => e.some((x) => x.data.state === 'RUNNING'))
    await finish(jobId, { result: 'WARNING', message: 'some entries without emission' })
    await rec.waitFor((e) => e.at(-1)?.type === 'end')
    expect(rec.types()[0]).toBe('snapshot')
    expect(rec.events.at(-1)!.data).toMatchObject({ state: 'FINISHED', result: 'WARNING' })
    const ids = rec.events.map((e) => Number(e.id))
    expect([...ids].sort((a, b) => a - b)).toEqual(ids)
  })
})

describe('a viewer tied to one unit', () => {
  it("gets every later event without the rows of the institution's files", async () => {
    // Row errors and warnings quote the file's cells: people's ids and trips. A user of one unit
    // sees the job, its counts and its result, not those rows (SPEC §2).
    await db().db.execute(sql`
      INSERT INTO users (institution_id, unit_id, email, display_name, password_hash, role)
      SELECT u.institution_id, u.id, 'unit-viewer@demo-a.test', 'Unit Viewer', m.password_hash, 'viewer'
      FROM units u, users m WHERE u.institutional_id = 'LAB-ENERGY' AND m.email = 'manager@demo-a.test'`)
    const unitViewer = await s.signIn('unit-viewer@demo-a.test')
    const p = await newPipeline()
    const whole = new StreamRecorder(streamUrl(p.id), cookieOf(manager))
    const unit = new StreamRecorder(streamUrl(p.id), cookieOf(unitViewer))
    await whole.waitFor((e) => e.length === 1)
    await unit.waitFor((e) => e.length === 1)
    const job = await claim('emission_recalc')
    const quoted = {
      row: 7,
      column: null,
      code: 'unknown_location',
      message: 'unknown airport QQQ of person-4711',
    }
    await finish(job.id, {
      result: 'WARNING',
      message: '1 entry without emission',
      meta: { firstWarnings: [quoted], firstErrors: [{ ...quoted, code: 'invalid_value' }] },
      children: [],
    })
    await whole.waitFor((e) => e.at(-1)?.type === 'end')
    await unit.waitFor((e) => e.at(-1)?.type === 'end')
    whole.close()
    unit.close()

    const jobIn = (e: ReceivedEvent) =>
      (e.data as unknown as Pipeline).jobs.find((j) => j.id === job.id)!
    const wholeEnd = whole.events.at(-1)!
    expect(jobIn(wholeEnd)).toMatchObject({
      firstWarnings: [quoted],
      firstErrors: [expect.anything()],
    })
    expect(unit.types()).toEqual(whole.types())
    for (const e of unit.events) expect(JSON.stringify(e.data)).not.toContain('person-4711')
    expect(jobIn(unit.events.at(-1)!)).toMatchObject({
      result: 'WARNING',
      statusMessage: '1 entry without emission',
      firstWarnings: [],
      firstErrors: [],
    })
  })
})
