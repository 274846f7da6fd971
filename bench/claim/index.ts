import { execFileSync } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Logger, makeWorkerUtils, runMigrations as runGraphileMigrations } from 'graphile-worker'
import postgres from 'postgres'
import { openPostgres, runMigrations } from '@carbon-sync/server/src/db/client.ts'
import { note, sleep, type Benchmark } from '../lib/benchmark.ts'
import { withCleanup } from '../lib/cleanup.ts'
import { CpuSampler } from '../lib/cpu.ts'
import { createBenchDatabase, dropStaleBenchDatabases } from '../lib/database.ts'
import { describeMachine, machineInfo } from '../lib/machine.ts'
import { logEveryStatement, pgLogPath, pgLogReadable } from '../lib/pg-log.ts'
import { appendToBenchmarksDoc, fileTimestamp, tmpDir, writeResultJson } from '../lib/results.ts'
import { distribution, ms } from '../lib/stats.ts'
import { WorkerChild } from './children.ts'
import { enqueueGraphile, enqueueOurs } from './enqueue.ts'
import { measurePickup, type PickupSample } from './pickup.ts'
import type { System } from './protocol.ts'
import { markdownSection, pickupTargetMs, printResult, type ClaimResult } from './report.ts'
import { runRound, type RoundContext, type ThroughputRun } from './throughput.ts'

/**
 * SPEC §10, job pickup latency (enqueue to handler start, idle worker) and trivial-job
 * throughput (claim + finish, unbatched, 2 processes), each against graphile-worker on the same
 * PostgreSQL database in the same run. Workers run in child processes (worker-process.ts).
 */
const warmup = 20
const fullSamples = 300
const fullJobsPerRound = 5000
const roundOrder: System[] = ['ours', 'graphile', 'graphile', 'ours']
const profileJobs = 1000

/** BENCH_CLAIM_SAMPLES and BENCH_CLAIM_JOBS make a smaller run; only full runs are recorded. */
function setting(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`)
  return n
}

async function run(): Promise<void> {
  const samples = setting('BENCH_CLAIM_SAMPLES', fullSamples)
  const jobsPerRound = setting('BENCH_CLAIM_JOBS', fullJobsPerRound)
  const full = samples === fullSamples && jobsPerRound === fullJobsPerRound
  const started = new Date()
  const date = execFileSync('date', ['-u'], { encoding: 'utf8' }).trim()
  const loadAverageStart = os.loadavg()[0]!
  const cpu = new CpuSampler()

  await withCleanup(async (defer) => {
    const stale = await dropStaleBenchDatabases()
    if (stale.length > 0) note(`dropped ${stale.length} stale benchmark database(s)`)
    const created = await createBenchDatabase()
    defer('drop the benchmark database', () => created.drop())
    const url = created.url
    const databaseName = new URL(url).pathname.slice(1)

    // One connection, opened now, for polls and bulk inserts: it predates the statement log.
    const poller = postgres(url, { max: 1, idle_timeout: 0, onnotice: () => {} })
    defer('close the polling connection', () => poller.end({ timeout: 5 }))
    const [{ pid: pollerPid } = { pid: 0 }] = await poller<{ pid: number }[]>`
      SELECT pg_backend_pid() AS pid`
    const database = await openPostgres({ url, poolMax: 2, applicationName: 'bench-enqueue' })
    defer('close the enqueue pool', () => database.close())
    await runMigrations(database, url)
    const logger = new Logger(() => () => {})
    await runGraphileMigrations({ connectionString: url, logger })
    const utils = await makeWorkerUtils({ connectionString: url, logger })
    defer('release the graphile-worker utils', async () => await utils.release())
    const [institution] = await poller<{ id: number }[]>`
      INSERT INTO institutions (name) VALUES ('Claim benchmark') RETURNING id`
    const institutionId = institution!.id
    const machine = await machineInfo(poller)
    note(describeMachine(machine))
    cpu.start()
    defer('stop sampling the CPU', async () => cpu.stop())

    // 1. Pickup latency, both systems idle side by side, sampled alternately.
    const ours = await WorkerChild.start('ours', 'each', url)
    defer('stop our pickup worker', async () => void (await ours.stop()))
    const graphile = await WorkerChild.start('graphile', 'each', url)
    defer('stop the graphile-worker pickup worker', async () => void (await graphile.stop()))
    await ours.calibrate()
    await graphile.calibrate()
    ours.go()
    graphile.go()
    await sleep(1000)
    note(`pickup: ${warmup} warm-up and ${samples} samples per system, alternating`)
    const pickupFrom = performance.now()
    const pickup = await measurePickup(
      [
        {
          system: 'ours',
          child: ours,
          enqueue: (i) => enqueueOurs(database, institutionId, i),
          settle: async (id) => void (await ours.finishOf(id)),
        },
        {
          system: 'graphile',
          child: graphile,
          enqueue: () => enqueueGraphile(utils),
          // Its completion is sent without waiting for it: give it time to land.
          settle: async (id) => {
            await graphile.finishOf(id)
            await sleep(20)
          },
        },
      ],
      warmup,
      samples,
      (done) => note(`pickup: ${done} of ${warmup + samples}`),
    )
    const pickupBusyCores = cpu.busyCores(pickupFrom, performance.now())
    const loadAverageAfterPickup = os.loadavg()[0]!
    await ours.stop()
    await graphile.stop()
    const stat = (s: System, f: (x: PickupSample) => number) => distribution(pickup.get(s)!.map(f))
    const fromEnqueue = {
      ours: stat('ours', (x) => x.fromEnqueueMs),
      graphile: stat('graphile', (x) => x.fromEnqueueMs),
    }
    note(
      `pickup p50 from before the enqueue: ours ${ms(fromEnqueue.ours.p50)} ms, ` +
        `graphile-worker ${ms(fromEnqueue.graphile.p50)} ms`,
    )

    // 2. Throughput, rounds in ABBA order so that a drift in the machine's load hits both.
    const ctx: RoundContext = {
      url,
      database: databaseName,
      poller,
      pollerPid,
      utils,
      institutionId,
      cpu,
    }
    const rounds: ThroughputRun[] = []
    for (const system of roundOrder) {
      note(`throughput: ${jobsPerRound} jobs, ${system}, 2 processes`)
      const round = await runRound(ctx, system, jobsPerRound)
      note(
        `throughput: ${system} ${round.jobsPerSecond.toFixed(1)} jobs/s ` +
          `(${round.seconds.toFixed(2)} s, per process ${round.perProcess.join(' + ')})`,
      )
      rounds.push(round)
    }
    const rate = (s: System) => {
      const mine = rounds.filter((r) => r.system === s)
      return mine.reduce((n, r) => n + r.jobs, 0) / mine.reduce((n, r) => n + r.seconds, 0)
    }
    const jobsPerSecond = { ours: rate('ours'), graphile: rate('graphile') }
    const ratio = jobsPerSecond.ours / jobsPerSecond.graphile

    // 3. Where the time goes: one more (untimed) round each, with a CPU profile of the worker
    //    processes and, if PostgreSQL's log can be read, every statement logged.
    const jobs = Math.min(profileJobs, jobsPerRound)
    const statementLog = await pgLogReadable()
    const statementsSkipped = statementLog
      ? undefined
      : `${pgLogPath} is not readable (BENCH_PG_LOG names another file)`
    note(
      `profile: ${jobs} jobs per system, CPU profiles` +
        (statementLog ? ', every statement logged' : `; no statement log: ${statementsSkipped}`),
    )
    const cpuProfileDir = path.join(tmpDir, `claim-cpu-${fileTimestamp(started)}`)
    await mkdir(cpuProfileDir, { recursive: true })
    defer('remove the CPU profiles', () => rm(cpuProfileDir, { recursive: true, force: true }))
    if (statementLog) {
      await logEveryStatement(poller, databaseName, true)
      defer('stop logging statements', () => logEveryStatement(poller, databaseName, false))
    }
    const options = { profile: statementLog, cpuProfileDir }
    const oursProfile = await runRound(ctx, 'ours', jobs, options)
    const graphileProfile = await runRound(ctx, 'graphile', jobs, options)
    if (statementLog) await logEveryStatement(poller, databaseName, false)
    const profile: ClaimResult['profile'] = {
      jobs,
      statements: statementLog
        ? { ours: oursProfile.profile!, graphile: graphileProfile.profile! }
        : null,
      ...(statementsSkipped ? { statementsSkipped } : {}),
      cpu: { ours: oursProfile.cpuPerJob!, graphile: graphileProfile.cpuPerJob! },
    }

    const result: ClaimResult = {
      benchmark: 'claim',
      date,
      startedAt: started.toISOString(),
      machine,
      load: { loadAverageStart, loadAverageAfterPickup, pickupBusyCores },
      pickup: {
        warmup,
        samples,
        clock: {
          ours: { offsetMs: ours.offset, rttMs: ours.offsetRtt },
          graphile: { offsetMs: graphile.offset, rttMs: graphile.offsetRtt },
        },
        fromEnqueue,
        fromCommit: {
          ours: stat('ours', (x) => x.fromCommitMs),
          graphile: stat('graphile', (x) => x.fromCommitMs),
        },
        enqueue: {
          ours: stat('ours', (x) => x.enqueueMs),
          graphile: stat('graphile', (x) => x.enqueueMs),
        },
      },
      throughput: { jobsPerRound, rounds, jobsPerSecond, ratio },
      profile,
      targets: {
        pickupUnder10ms: fromEnqueue.ours.p50 < pickupTargetMs,
        pickupNoWorseThanGraphile: fromEnqueue.ours.p50 <= fromEnqueue.graphile.p50,
        throughput: ratio >= 1,
      },
    }
    printResult(result)
    const json = await writeResultJson('claim', started, result)
    note(`results written to ${json}`)
    if (full) {
      await appendToBenchmarksDoc(markdownSection(result))
      note('results appended to docs/benchmarks.md')
    } else {
      note('not recorded in docs/benchmarks.md: not a full-size run')
    }
  })
}

export const benchmark: Benchmark = {
  name: 'claim',
  description:
    'job pickup latency and trivial-job throughput, against graphile-worker on the same database',
  run,
}
