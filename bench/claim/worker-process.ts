/**
 * One worker process of the claim benchmark, started by it with an IPC channel:
 *
 *   node --import tsx claim/worker-process.ts <ours|graphile> <each|summary>
 *
 * with BENCH_DATABASE_URL in the environment. `ours` runs the server's Worker
 * (WORKER_CONCURRENCY=1, POLL_INTERVAL_MS at its default, so NOTIFY is what wakes it) with a
 * trivial csv_ingest handler that finishes the job through ctx.finish; `graphile` runs
 * graphile-worker's `run()` (concurrency 1, pollInterval at its default) with a trivial task
 * `noop`. Neither touches the job's content. The process says `ready` once connected, starts
 * claiming on `go`, and stops on `stop` after sending its summary.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector'
import { Logger, run, type Runner } from 'graphile-worker'
import { testConfig } from '@carbon-sync/server/src/config.ts'
import { openPostgres } from '@carbon-sync/server/src/db/client.ts'
import { ping } from '@carbon-sync/server/src/db/queries/job-counts.ts'
import { createLogger } from '@carbon-sync/server/src/log.ts'
import { Worker } from '@carbon-sync/server/src/worker/runner.ts'
import { wallClock } from '../lib/stats.ts'
import type { FromChild, ReportMode, System, ToChild } from './protocol.ts'

const system = process.argv[2] as System
const mode = process.argv[3] as ReportMode
const url = process.env['BENCH_DATABASE_URL']
if (!url || !['ours', 'graphile'].includes(system) || !['each', 'summary'].includes(mode)) {
  console.error('usage: BENCH_DATABASE_URL=... worker-process.ts <ours|graphile> <each|summary>')
  process.exit(2)
}
if (!process.send) {
  console.error('worker-process.ts must be started with an IPC channel')
  process.exit(2)
}

const send = (message: FromChild) => process.send!(message)
/** Sends a last message, then exits once it is handed to the channel. */
const sendAndExit = (message: FromChild, code: number) =>
  process.send!(message, undefined, {}, () => process.exit(code))
let count = 0
let firstStart: number | null = null
let lastFinish: number | null = null

function started(id: string | number): void {
  const at = wallClock()
  count++
  firstStart ??= at
  if (mode === 'each') send({ type: 'start', id: String(id), at })
}

function finished(id: string | number): void {
  const at = wallClock()
  lastFinish = at
  if (mode === 'each') send({ type: 'finished', id: String(id), at })
}

/**
 * BENCH_CPU_PROFILE=<file>: a V8 CPU profile from `go` to `stop` (the inspector's sampling
 * profiler, in this process), written to that file before the process exits.
 */
const profileFile = process.env['BENCH_CPU_PROFILE']
let profiler: Session | undefined

function post<T>(method: string): Promise<T> {
  return new Promise((resolve, reject) =>
    profiler!.post(method, (error, result) => (error ? reject(error) : resolve(result as T))),
  )
}

async function startProfile(): Promise<void> {
  if (!profileFile) return
  profiler = new Session()
  profiler.connect()
  await post('Profiler.enable')
  await post('Profiler.start')
}

async function stopProfile(): Promise<void> {
  if (!profiler || !profileFile) return
  const { profile } = await post<{ profile: unknown }>('Profiler.stop')
  profiler.disconnect()
  await writeFile(profileFile, JSON.stringify(profile))
}

interface Driver {
  go(): Promise<void>
  stop(): Promise<void>
}

async function ours(databaseUrl: string): Promise<Driver> {
  const config = testConfig({ DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: '1' })
  const database = await openPostgres({
    url: databaseUrl,
    poolMax: config.DB_POOL_MAX,
    applicationName: 'carbon-sync-worker',
  })
  // Open the connections now, so that the first claims do not pay for them.
  await Promise.all([ping(database.db), ping(database.control)])
  const worker = new Worker({
    database,
    config,
    log: createLogger('silent'),
    handlers: {
      csv_ingest: async (ctx) => {
        started(ctx.job.id)
        await ctx.finish({ result: 'SUCCESS', message: null })
        finished(ctx.job.id)
      },
    },
  })
  return {
    go: () => worker.start(),
    async stop() {
      await worker.stop()
      await database.close()
    },
  }
}

async function graphile(databaseUrl: string): Promise<Driver> {
  let runner: Runner | undefined
  return {
    async go() {
      runner = await run({
        connectionString: databaseUrl,
        concurrency: 1,
        noHandleSignals: true,
        logger: new Logger(() => () => {}),
        taskList: {
          noop: async (_payload, helpers) => {
            started(helpers.job.id)
            finished(helpers.job.id)
          },
        },
      })
    },
    async stop() {
      await runner?.stop()
    },
  }
}

async function main(databaseUrl: string): Promise<void> {
  const driver = system === 'ours' ? await ours(databaseUrl) : await graphile(databaseUrl)
  let stopping = false
  let cpuAtGo = process.cpuUsage()
  process.on('message', (raw: ToChild) => {
    if (raw.type === 'ping') send({ type: 'pong', now: wallClock() })
    else if (raw.type === 'go') {
      cpuAtGo = process.cpuUsage()
      startProfile()
        .then(() => driver.go())
        .catch((error: unknown) => sendAndExit({ type: 'failed', message: String(error) }, 1))
    } else if (raw.type === 'stop' && !stopping) {
      stopping = true
      const cpu = process.cpuUsage(cpuAtGo)
      const cpuMs = (cpu.user + cpu.system) / 1000
      void stopProfile()
        .then(() => driver.stop())
        .catch((error: unknown) => console.error('stop failed:', error))
        .finally(() => sendAndExit({ type: 'summary', count, firstStart, lastFinish, cpuMs }, 0))
    }
  })
  // The benchmark going away (killed, crashed) takes its workers with it.
  process.on('disconnect', () => {
    if (!stopping) process.exit(1)
  })
  send({ type: 'ready', pid: process.pid })
}

main(url).catch((error: unknown) => sendAndExit({ type: 'failed', message: String(error) }, 1))
