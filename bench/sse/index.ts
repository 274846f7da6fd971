import { execFileSync } from 'node:child_process'
import os from 'node:os'
import postgres, { type Sql } from 'postgres'
import { supportedTypes } from '@carbon-sync/shared'
import { openPostgres } from '@carbon-sync/server/src/db/client.ts'
import { ApiClient } from '@carbon-sync/server/test/helpers/server.ts'
import { note, secondsSince, sleep, type Benchmark } from '../lib/benchmark.ts'
import { withCleanup } from '../lib/cleanup.ts'
import { CpuSampler } from '../lib/cpu.ts'
import { createBenchDatabase, dropStaleBenchDatabases } from '../lib/database.ts'
import { describeMachine, machineInfo } from '../lib/machine.ts'
import { appendToBenchmarksDoc, writeResultJson } from '../lib/results.ts'
import { ms } from '../lib/stats.ts'
import { commitChange } from './changes.ts'
import { runBurst, type BurstResult, type BurstTarget } from './burst.ts'
import {
  gcOnSignalOptions,
  memoryAfterGc,
  startRole,
  streamGauges,
  urlOf,
  type MemoryReading,
  type StreamGauges,
} from './processes.ts'
import { markdownSection, p50TargetMs, p99TargetMs, printResult, type SseResult } from './report.ts'
import { openViewers, type Viewer } from './viewers.ts'

/**
 * SPEC §10, SSE: 1,000 concurrent viewers of one pipeline plus 100 of 10 other pipelines, on a
 * real API process; change committed to event received, database connections of the API
 * process as viewers grow (10, 100, 1,100), and memory per viewer.
 */
const manager = { email: 'manager@demo-a.test', password: 'carbon-sync-demo' }
const fullWatchedViewers = 1000
const otherPipelines = 10
const viewersPerOther = 10
const spacingMs = 250
const changes = 40
/** Before each burst: longer than the pool's idle timeout (10 s). */
const settleMs = 12_000

/** Waits until every job (the demo seed's pipelines) is FINISHED; fails if one ended in ERROR. */
async function waitForSeed(sql: Sql): Promise<void> {
  const deadline = Date.now() + 10 * 60 * 1000
  for (;;) {
    const [row] = await sql<{ total: number; pending: number; failed: number }[]>`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE state <> 'FINISHED')::int AS pending,
             count(*) FILTER (WHERE result IN ('ERROR', 'CANCELLED'))::int AS failed
      FROM jobs`
    if (row && row.total > 0 && row.pending === 0) {
      if (row.failed > 0) throw new Error(`${row.failed} demo seed jobs failed`)
      return
    }
    if (Date.now() > deadline) throw new Error('the demo seed did not finish within 10 minutes')
    await sleep(250)
  }
}

function describeMemory(m: MemoryReading): string {
  const mib = (n: number | undefined) => (n === undefined ? 'n/a' : (n / 2 ** 20).toFixed(1))
  return `resident ${mib(m.residentBytes)} MiB, heap ${mib(m.heapUsedBytes)} MiB after GC`
}

function fileDescriptorLimit(): string {
  return execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()
}

/** BENCH_SSE_VIEWERS makes a smaller run (viewers of the watched pipeline); only full runs are recorded. */
function watchedViewerCount(): number {
  const raw = process.env['BENCH_SSE_VIEWERS']
  if (raw === undefined || raw === '') return fullWatchedViewers
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 100)
    throw new Error('BENCH_SSE_VIEWERS must be an integer >= 100')
  return n
}

async function run(): Promise<void> {
  const watchedViewers = watchedViewerCount()
  const started = new Date()
  const date = execFileSync('date', ['-u'], { encoding: 'utf8' }).trim()
  const loadAverageStart = os.loadavg()[0]!
  const fdLimit = fileDescriptorLimit()
  const totalViewers = watchedViewers + otherPipelines * viewersPerOther
  if (fdLimit !== 'unlimited' && Number(fdLimit) < totalViewers * 2 + 200)
    throw new Error(`ulimit -n is ${fdLimit}: raise it to at least ${totalViewers * 2 + 200}`)
  const cpu = new CpuSampler()
  const viewers: Viewer[] = []

  await withCleanup(async (defer) => {
    const stale = await dropStaleBenchDatabases()
    if (stale.length > 0) note(`dropped ${stale.length} stale benchmark database(s)`)
    const created = await createBenchDatabase()
    defer('drop the benchmark database', () => created.drop())
    const sql = postgres(created.url, { max: 2, onnotice: () => {} })
    defer('close the benchmark connection', () => sql.end({ timeout: 5 }))

    // 1. The demo seed: an API process creates it, a worker process runs its pipelines. Both
    //    are then stopped, and the API process measured is a fresh one, without the seed's
    //    garbage in its heap.
    const env = { DATABASE_URL: created.url, LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1' }
    let t = performance.now()
    const seeder = startRole('api', { ...env, SEED_DEMO: 'true' })
    defer('stop the seeding api process', () => seeder.stop())
    await urlOf(seeder.process)
    const worker = startRole('worker', { ...env, SEED_DEMO: 'false' })
    defer('stop the worker process', () => worker.stop())
    await waitForSeed(sql)
    await worker.stop()
    await seeder.stop()
    note(`demo seed done in ${secondsSince(t).toFixed(1)} s`)
    const api = startRole('api', { ...env, SEED_DEMO: 'true', NODE_OPTIONS: gcOnSignalOptions })
    defer('stop the api process', () => api.stop())
    const baseUrl = await urlOf(api.process)
    const apiPid = api.process.child.pid!
    note(`api process ${apiPid} at ${baseUrl}`)
    const machine = await machineInfo(sql)
    note(describeMachine(machine))

    // 2. Eleven pipelines that stay open: recalculations kept from running.
    const client = new ApiClient(baseUrl)
    const login = await client.post('/api/v1/auth/login', manager)
    if (login.status !== 200)
      throw new Error(`sign-in failed: ${login.status} ${await login.text()}`)
    const cookie = client.cookie!
    const [{ year } = { year: 0 }] = await sql<{ year: number }[]>`
      SELECT max(year)::int AS year FROM pipelines WHERE kind = 'seed'`
    const pipelineIds: number[] = []
    for (const type of supportedTypes().slice(0, 1 + otherPipelines)) {
      const res = await client.post('/api/v1/sync/recalculate', {
        year,
        moduleTypeId: type.moduleTypeId,
        dataEntryTypeId: type.id,
      })
      if (res.status !== 202) throw new Error(`recalculate: ${res.status} ${await res.text()}`)
      pipelineIds.push(((await res.json()) as { pipelineId: number }).pipelineId)
    }
    await sql`UPDATE jobs SET run_after = now() + interval '10 years'
              WHERE pipeline_id IN ${sql(pipelineIds)} AND state = 'QUEUED'`
    const [watched, ...others] = pipelineIds as [number, ...number[]]
    const jobs = await sql<{ id: number }[]>`SELECT id FROM jobs WHERE pipeline_id = ${watched}`
    if (jobs.length !== 1) throw new Error(`pipeline ${watched} has ${jobs.length} jobs, not 1`)

    const database = await openPostgres({
      url: created.url,
      poolMax: 2,
      applicationName: 'bench-changes',
    })
    defer('close the change pool', () => database.close())
    cpu.start()
    defer('stop sampling the CPU', async () => cpu.stop())
    const target: BurstTarget = {
      database,
      sql,
      cpu,
      apiPid,
      pipelineId: watched,
      jobId: jobs[0]!.id,
      counter: { n: 0 },
    }

    // 3. Baselines, before any viewer.
    defer('close the viewers', async () => viewers.forEach((v) => v.close()))
    const streamUrl = (id: number) => `${baseUrl}/api/v1/sync/pipelines/${id}/stream`
    const headers = { cookie }
    // Warm-up: the code paths of streams and changes run once before the baseline.
    const warm = await openViewers(streamUrl, headers, [watched, watched, ...others])
    viewers.push(...warm)
    for (let i = 0; i < 3; i++) {
      await commitChange(database, watched, target.jobId, ++target.counter.n)
      await sleep(spacingMs)
    }
    for (const v of warm) v.close()
    viewers.length = 0
    await sleep(settleMs)
    const baseline = await streamGauges(baseUrl)
    const baselineMemory = await memoryAfterGc(baseUrl, apiPid)
    note(`baseline: ${describeMemory(baselineMemory)}, ${JSON.stringify(baseline)}`)

    // 4. Bursts at 10, 100 and 1,100 open streams.
    const bursts: BurstResult[] = []
    const watching: Viewer[] = []
    const otherViewers: Viewer[] = []
    const grow = async (watchingTotal: number, withOthers: boolean) => {
      t = performance.now()
      const more = await openViewers(
        streamUrl,
        headers,
        Array.from({ length: watchingTotal - watching.length }, () => watched),
      )
      watching.push(...more)
      viewers.push(...more)
      if (withOthers) {
        const rest = await openViewers(
          streamUrl,
          headers,
          others.flatMap((id) => Array.from({ length: viewersPerOther }, () => id)),
        )
        otherViewers.push(...rest)
        viewers.push(...rest)
      }
      note(`${viewers.length} streams open (${secondsSince(t).toFixed(1)} s to open)`)
    }
    const burst = async (label: string, n: number) => {
      await sleep(settleMs)
      const loadAverage = os.loadavg()[0]!
      const b = await runBurst(target, label, watching, otherViewers, n, spacingMs, loadAverage)
      note(
        `${label}: p50 ${ms(b.latencyMs.p50)} ms, p99 ${ms(b.latencyMs.p99)} ms, missed ` +
          `${b.missed}, api connections max ${b.connections.maxTotal} (busy ${b.connections.maxBusy})`,
      )
      bursts.push(b)
    }
    await grow(10, false)
    await burst('10 streams', 10)
    await grow(100, false)
    await burst('100 streams', 10)
    await grow(watchedViewers, true)
    const open = await streamGauges(baseUrl)
    const openMemory = await memoryAfterGc(baseUrl, apiPid)
    note(`open: ${describeMemory(openMemory)}, ${JSON.stringify(open)}`)
    await burst(`${viewers.length} streams`, changes)

    // 5. Everyone leaves: the gauges must come back to their baseline.
    const closedAt = performance.now()
    for (const v of viewers) v.close()
    let backToBaselineMs: number | null = null
    let oneSecondAfterClose: StreamGauges | undefined
    while (performance.now() - closedAt < 10_000) {
      const g = await streamGauges(baseUrl)
      const elapsed = performance.now() - closedAt
      if (
        backToBaselineMs === null &&
        g.sessions === baseline.sessions &&
        g.channels === baseline.channels
      )
        backToBaselineMs = elapsed
      if (elapsed >= 1000 && !oneSecondAfterClose) oneSecondAfterClose = g
      if (backToBaselineMs !== null && oneSecondAfterClose) break
      await sleep(100)
    }
    oneSecondAfterClose ??= await streamGauges(baseUrl)
    const closedMemory = await memoryAfterGc(baseUrl, apiPid)
    note(`closed: ${describeMemory(closedMemory)}`)

    const main = bursts.at(-1)!
    const result: SseResult = {
      benchmark: 'sse',
      date,
      startedAt: started.toISOString(),
      machine,
      fileDescriptorLimit: fdLimit,
      load: { loadAverageStart },
      setup: { watchedPipelineId: watched, otherPipelineIds: others, spacingMs, settleMs },
      bursts,
      memory: {
        viewers: viewers.length,
        baseline: baselineMemory,
        open: openMemory,
        closed: closedMemory,
        perViewerResidentBytes:
          (openMemory.residentBytes - baselineMemory.residentBytes) / viewers.length,
        perViewerHeapBytes:
          openMemory.heapUsedBytes === undefined || baselineMemory.heapUsedBytes === undefined
            ? null
            : (openMemory.heapUsedBytes - baselineMemory.heapUsedBytes) / viewers.length,
      },
      gauges: { baseline, open, oneSecondAfterClose, backToBaselineMs },
      targets: {
        p50: main.latencyMs.p50 < p50TargetMs,
        p99: main.latencyMs.p99 < p99TargetMs,
        connectionsConstant: main.connections.maxTotal <= bursts[0]!.connections.maxTotal,
        noEventMissed: bursts.every((b) => b.missed === 0 && b.allAtLastVersion),
        gaugesBackWithinOneSecond: backToBaselineMs !== null && backToBaselineMs <= 1000,
      },
    }
    printResult(result)
    const json = await writeResultJson('sse', started, result)
    note(`results written to ${json}`)
    if (watchedViewers === fullWatchedViewers) {
      await appendToBenchmarksDoc(markdownSection(result))
      note('results appended to docs/benchmarks.md')
    } else {
      note('not recorded in docs/benchmarks.md: not a full-size run')
    }
  })
}

export const benchmark: Benchmark = {
  name: 'sse',
  description:
    '1,000 viewers of one pipeline plus 100 of others: change-to-event latency, connections, memory',
  run,
}
