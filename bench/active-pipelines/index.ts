import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import postgres, { type Sql } from 'postgres'
import { testConfig } from '@carbon-sync/server/src/config.ts'
import { openPostgres, runMigrations } from '@carbon-sync/server/src/db/client.ts'
import { createLogger } from '@carbon-sync/server/src/log.ts'
import { startProcess } from '@carbon-sync/server/src/server.ts'
import { ApiClient } from '@carbon-sync/server/test/helpers/server.ts'
import { note, secondsSince, sleep, type Benchmark } from '../lib/benchmark.ts'
import { withCleanup } from '../lib/cleanup.ts'
import { CpuSampler } from '../lib/cpu.ts'
import { createBenchDatabase, dropStaleBenchDatabases } from '../lib/database.ts'
import { describeMachine, machineInfo } from '../lib/machine.ts'
import {
  logEveryStatement,
  logOffset,
  pgLogPath,
  pgLogReadable,
  profileSteps,
  readLogWindow,
} from '../lib/pg-log.ts'
import { appendToBenchmarksDoc, tmpDir, writeResultJson } from '../lib/results.ts'
import { distribution, ms } from '../lib/stats.ts'
import {
  activePipelinesPath,
  isActivePipelinesStatement,
  measureLatency,
  startApiServer,
  type LatencyMeasure,
} from './measure.ts'
import {
  markdownSection,
  printResult,
  targetMs,
  type ActivePipelinesResult,
  type Dataset,
  type Plan,
} from './report.ts'

/**
 * SPEC §10, active-pipelines for 50 modules: one SQL statement, p50 under 20 ms. The demo
 * seed's data first (what the target is about), then the same with a long history added.
 */
const manager = { email: 'manager@demo-a.test', password: 'carbon-sync-demo' }
const modules = Array.from({ length: 50 }, (_, i) => i + 1)
const warmup = 20
const requests = 500
const loggedRequests = 100
/** Finished pipelines added for the history measures (cumulative), and requests for each. */
const historySizes = [1_000, 10_000]
const historyRequests = 200

async function waitForIdleWorker(sql: Sql): Promise<void> {
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
    await sleep(200)
  }
}

async function pipelineCount(sql: Sql, institutionId: number, year: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pipelines WHERE institution_id = ${institutionId} AND year = ${year}`
  return row!.n
}

/** Finished pipelines of past runs, over the institution's modules, for the same year. */
async function addHistory(sql: Sql, institutionId: number, year: number, n: number, skip: number) {
  await sql`
    INSERT INTO pipelines (institution_id, kind, module_type_id, data_entry_type_id, year, status,
                           version, progress, created_at, updated_at, finished_at)
    SELECT ${institutionId}, 'data', 1 + (g % 8), NULL, ${year},
           (ARRAY['SUCCESS', 'PARTIAL', 'FAILED', 'CANCELLED'])[1 + (g % 4)], 5,
           '{"phase":3,"phasesTotal":3,"phaseLabel":"Aggregating","done":true,"hasError":false,"processed":0,"total":null}'::jsonb,
           now() - make_interval(mins => 100000 - g), now() - make_interval(mins => 100000 - g),
           now() - make_interval(mins => 100000 - g)
    FROM generate_series(${skip + 1}::int, ${skip + n}::int) g`
  await sql`ANALYZE pipelines`
}

/** EXPLAIN ANALYZE of the endpoint's statement as the server sent it, with its parameters. */
async function explain(
  sql: Sql,
  query: { text: string; params: unknown[] } | undefined,
): Promise<Plan | null> {
  if (!query) return null
  const lines = await sql.unsafe<{ 'QUERY PLAN': string }[]>(
    `EXPLAIN (ANALYZE, BUFFERS) ${query.text}`,
    query.params as never[],
  )
  const plan = lines.map((l) => l['QUERY PLAN'])
  const time = plan.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find((m) => m !== null)
  return { executionMs: time ? Number(time[1]) : null, lines: plan }
}

async function run(): Promise<void> {
  const started = new Date()
  const date = execFileSync('date', ['-u'], { encoding: 'utf8' }).trim()
  const loadAverageStart = os.loadavg()[0]!
  const cpu = new CpuSampler()

  await withCleanup(async (defer) => {
    const stale = await dropStaleBenchDatabases()
    if (stale.length > 0) note(`dropped ${stale.length} stale benchmark database(s)`)
    const created = await createBenchDatabase()
    defer('drop the benchmark database', () => created.drop())
    const databaseName = new URL(created.url).pathname.slice(1)
    const sql = postgres(created.url, { max: 1, idle_timeout: 0, onnotice: () => {} })
    defer('close the benchmark connection', () => sql.end({ timeout: 5 }))
    const config = testConfig({
      DATABASE_URL: created.url,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'silent',
    })

    // 1. The demo seed, run to the end by a server of role all, then stopped.
    let t = performance.now()
    const seedDatabase = await openPostgres({
      url: created.url,
      poolMax: config.DB_POOL_MAX,
      applicationName: 'carbon-sync-all',
    })
    const seeder = await (async () => {
      try {
        await runMigrations(seedDatabase, created.url)
        return await startProcess(config, 'all', createLogger('silent'), {
          database: seedDatabase,
          staticDir: path.join(tmpDir, 'no-frontend'),
        })
      } catch (error) {
        await seedDatabase.close()
        throw error
      }
    })()
    defer('stop the seeding server', () => seeder.stop())
    await waitForIdleWorker(sql)
    const year = seeder.seed!.dataYear
    await seeder.stop()
    note(`demo seed done in ${secondsSince(t).toFixed(1)} s`)
    const machine = await machineInfo(sql)
    note(describeMachine(machine))
    const [institution] = await sql<{ id: number }[]>`
      SELECT id FROM institutions WHERE name = 'Demo University A'`
    if (!institution) throw new Error('the demo institution A is missing')
    cpu.start()
    defer('stop sampling the CPU', async () => cpu.stop())

    // 2. The measured server: role api in this process, statements seen through onQuery.
    const server = await startApiServer(config, created.url)
    defer('stop the measured server', () => server.stop())
    const client = new ApiClient(server.url)
    const login = await client.post('/api/v1/auth/login', manager)
    if (login.status !== 200)
      throw new Error(`sign-in failed: ${login.status} ${await login.text()}`)
    const route = activePipelinesPath(year, modules)
    const probe = (await (await client.get(route)).json()) as {
      modules: Record<string, { active: unknown; last: unknown }>
    }
    const modulesWithPipelines = Object.values(probe.modules).filter(
      (m) => m.active !== null || m.last !== null,
    ).length
    if (Object.keys(probe.modules).length !== modules.length)
      throw new Error(`the endpoint answered for ${Object.keys(probe.modules).length} modules`)

    const measure = async (label: string, n: number): Promise<Dataset> => {
      const pipelines = await pipelineCount(sql, institution.id, year)
      const loadAverage = os.loadavg()[0]!
      const from = performance.now()
      const m: LatencyMeasure = await measureLatency(server, client, route, warmup, n)
      const busyCores = cpu.busyCores(from, performance.now())
      const plan = await explain(sql, m.query)
      note(
        `${label}: p50 ${ms(m.latencyMs.p50)} ms, p99 ${ms(m.latencyMs.p99)} ms; statements ` +
          `per request ${m.statements.perRequest.min}-${m.statements.perRequest.max}`,
      )
      return { label, pipelines, loadAverage, busyCores, ...m, plan }
    }
    const seeded = await measure('demo seed', requests)

    // 3. Every statement from PostgreSQL's log, with a server whose sessions log them.
    let logged: ActivePipelinesResult['logged'] = null
    let loggedSkipped: string | undefined
    if (await pgLogReadable()) {
      await logEveryStatement(sql, databaseName, true)
      defer('stop logging statements', () => logEveryStatement(sql, databaseName, false))
      const loggingServer = await startApiServer(config, created.url)
      try {
        const c = new ApiClient(loggingServer.url)
        const res = await c.post('/api/v1/auth/login', manager)
        if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`)
        for (let i = 0; i < warmup; i++) await (await c.get(route)).text()
        const from = await logOffset()
        for (let i = 0; i < loggedRequests; i++) await (await c.get(route)).text()
        await sleep(200)
        const steps = (await readLogWindow(databaseName, from)).filter(
          // Our own connection predates the setting; nothing else runs on this database.
          (s) => !s.text.startsWith('ALTER DATABASE'),
        )
        const profile = profileSteps(steps)
        const query = steps.filter(
          (s) => s.step === 'execute' && isActivePipelinesStatement(s.text),
        )
        logged = {
          requests: loggedRequests,
          statementsPerRequest: profile.statements / loggedRequests,
          activePipelinesPerRequest: query.length / loggedRequests,
          shapes: profile.shapes.map((s) => ({
            shape: s.shape,
            perRequest: s.count / loggedRequests,
          })),
          queryExecuteMs: distribution(query.map((s) => s.ms)),
        }
      } finally {
        await loggingServer.stop()
        await logEveryStatement(sql, databaseName, false)
      }
      note(`log: ${logged.statementsPerRequest} statements per request`)
    } else {
      loggedSkipped = `${pgLogPath} is not readable (BENCH_PG_LOG names another file)`
      note(`statement log skipped: ${loggedSkipped}`)
    }

    // 4. The same with a longer history: finished pipelines of the same institution and year.
    const datasets = [seeded]
    let added = 0
    for (const size of historySizes) {
      t = performance.now()
      await addHistory(sql, institution.id, year, size - added, added)
      added = size
      note(`${size} finished pipelines added in ${secondsSince(t).toFixed(1)} s`)
      datasets.push(await measure(`+${size.toLocaleString('en-US')} finished`, historyRequests))
    }

    const result: ActivePipelinesResult = {
      benchmark: 'active-pipelines',
      date,
      startedAt: started.toISOString(),
      machine,
      load: { loadAverageStart },
      request: { year, modules: modules.length, modulesWithPipelines, warmup },
      datasets,
      logged,
      ...(loggedSkipped ? { loggedSkipped } : {}),
      targets: {
        p50: seeded.latencyMs.p50 < targetMs,
        oneStatement:
          seeded.statements.activePipelinesPerRequest.min === 1 &&
          seeded.statements.activePipelinesPerRequest.max === 1 &&
          (logged === null || logged.activePipelinesPerRequest === 1),
      },
    }
    printResult(result)
    const json = await writeResultJson('active-pipelines', started, result)
    note(`results written to ${json}`)
    await appendToBenchmarksDoc(markdownSection(result))
    note('results appended to docs/benchmarks.md')
  })
}

export const benchmark: Benchmark = {
  name: 'active-pipelines',
  description: 'GET active-pipelines for 50 modules: client latency and statements per request',
  run,
}
