import os from 'node:os'
import path from 'node:path'
import type { WorkerUtils } from 'graphile-worker'
import type { Sql } from 'postgres'
import { sleep } from '../lib/benchmark.ts'
import type { CpuSampler } from '../lib/cpu.ts'
import { cpuByCategory, readCpuProfile, type CpuShare } from '../lib/cpu-profile.ts'
import { logOffset, profileSteps, readLogWindow, type StatementProfile } from '../lib/pg-log.ts'
import { wallClock } from '../lib/stats.ts'
import { WorkerChild } from './children.ts'
import { insertGraphileJobs, insertOurJobs } from './enqueue.ts'
import type { System } from './protocol.ts'

/**
 * Trivial-job throughput: `jobs` jobs queued up front, then `processes` worker processes of
 * concurrency 1 each told to start at the same instant. Measured from the first handler start
 * (reported by the processes) until a poll every 20 ms sees no job left (ours: none QUEUED or
 * RUNNING; graphile-worker: its jobs table empty, as it deletes a job once completed), the
 * same way for both. Ours is also measured from its own timestamps, min(started_at) to
 * max(finished_at), each the start of the claiming or finishing transaction.
 */
export interface ThroughputRun {
  system: System
  jobs: number
  processes: number
  seconds: number
  jobsPerSecond: number
  /** Jobs run by each process. */
  perProcess: number[]
  /** CPU time of the worker processes (Node), per job, in ms. */
  workerCpuMsPerJob: number
  /** Ours only: max(finished_at) - min(started_at) from the jobs table. */
  dbSeconds: number | null
  dbJobsPerSecond: number | null
  loadAverage: number
  busyCores: number | null
  /** With the statement log on: what the workers sent to PostgreSQL meanwhile. */
  profile?: StatementProfile
  /** With CPU profiles: the worker processes' CPU (all of them) by category, per job. */
  cpuPerJob?: CpuShare[]
}

export interface RoundContext {
  url: string
  database: string
  /** One connection opened before the statement log was switched on: its polls are not logged. */
  poller: Sql
  pollerPid: number
  utils: WorkerUtils
  institutionId: number
  cpu: CpuSampler
}

const pollMs = 20

async function drained(
  ctx: RoundContext,
  system: System,
  ids: { firstId: number; lastId: number },
) {
  if (system === 'ours') {
    const [row] = await ctx.poller<{ left: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('QUEUED', 'RUNNING')
                     AND id BETWEEN ${ids.firstId} AND ${ids.lastId}) AS left`
    return !row!.left
  }
  const [row] = await ctx.poller<{ left: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS left`
  return !row!.left
}

export async function runRound(
  ctx: RoundContext,
  system: System,
  jobs: number,
  options: {
    processes?: number
    profile?: boolean
    /** A directory for the worker processes' CPU profiles, from `go` to `stop`. */
    cpuProfileDir?: string
    timeoutMs?: number
  } = {},
): Promise<ThroughputRun> {
  const processes = options.processes ?? 2
  const ids =
    system === 'ours'
      ? await insertOurJobs(ctx.poller, ctx.institutionId, jobs)
      : (await insertGraphileJobs(ctx.poller, ctx.utils, jobs), { firstId: 0, lastId: 0 })
  const children: WorkerChild[] = []
  const profileFiles = Array.from({ length: processes }, (_, i) =>
    options.cpuProfileDir ? path.join(options.cpuProfileDir, `${system}-${i + 1}.cpuprofile`) : '',
  )
  try {
    for (const file of profileFiles)
      children.push(
        await WorkerChild.start(
          system,
          'summary',
          ctx.url,
          file ? { BENCH_CPU_PROFILE: file } : {},
        ),
      )
    for (const c of children) await c.calibrate()
    const loadAverage = os.loadavg()[0]!
    const logFrom = options.profile ? await logOffset() : 0
    const goAt = wallClock()
    for (const c of children) c.go()
    const deadline = goAt + (options.timeoutMs ?? 10 * 60_000)
    while (!(await drained(ctx, system, ids))) {
      if (wallClock() > deadline) throw new Error(`${system}: ${jobs} jobs not done in time`)
      await sleep(pollMs)
    }
    const drainedAt = wallClock()
    let profile: StatementProfile | undefined
    if (options.profile) {
      // graphile-worker completes jobs without waiting: let the last completion land.
      await sleep(300)
      const steps = await readLogWindow(ctx.database, logFrom, await logOffset())
      profile = profileSteps(steps.filter((s) => s.pid !== ctx.pollerPid))
    }
    const summaries = await Promise.all(children.map((c) => c.stop()))
    children.length = 0
    const perProcess = summaries.map((s) => s?.count ?? 0)
    const workerCpuMs = summaries.reduce((n, s) => n + (s?.cpuMs ?? 0), 0)
    const done = perProcess.reduce((a, b) => a + b, 0)
    if (done !== jobs) throw new Error(`${system}: the processes ran ${done} jobs, not ${jobs}`)
    const firstStart = Math.min(...summaries.map((s) => s?.firstStart ?? Number.POSITIVE_INFINITY))
    const seconds = (drainedAt - firstStart) / 1000
    let dbSeconds: number | null = null
    if (system === 'ours') {
      const [row] = await ctx.poller<{ seconds: number; ok: number }[]>`
        SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 AS seconds,
               count(*) FILTER (WHERE result = 'SUCCESS')::int AS ok
        FROM jobs WHERE id BETWEEN ${ids.firstId} AND ${ids.lastId}`
      if (row!.ok !== jobs) throw new Error(`ours: ${row!.ok} of ${jobs} jobs ended in SUCCESS`)
      dbSeconds = row!.seconds
    }
    let cpuPerJob: CpuShare[] | undefined
    if (options.cpuProfileDir) {
      const profiles = await Promise.all(profileFiles.map(readCpuProfile))
      cpuPerJob = cpuByCategory(profiles).map((c) => ({ category: c.category, ms: c.ms / jobs }))
    }
    const perf = (wall: number) => wall - performance.timeOrigin
    return {
      system,
      jobs,
      processes,
      seconds,
      jobsPerSecond: jobs / seconds,
      perProcess,
      workerCpuMsPerJob: workerCpuMs / jobs,
      dbSeconds,
      dbJobsPerSecond: dbSeconds === null ? null : jobs / dbSeconds,
      loadAverage,
      busyCores: ctx.cpu.busyCores(perf(firstStart), perf(drainedAt)),
      ...(profile ? { profile } : {}),
      ...(cpuPerJob ? { cpuPerJob } : {}),
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()))
  }
}
