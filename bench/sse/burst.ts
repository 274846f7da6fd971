import type { Sql } from 'postgres'
import type { Database } from '@carbon-sync/server/src/db/client.ts'
import { sleep } from '../lib/benchmark.ts'
import type { CpuSampler } from '../lib/cpu.ts'
import { distribution, type Distribution } from '../lib/stats.ts'
import {
  apiConnections,
  commitChange,
  sampleConnections,
  type Committed,
  type ConnectionSample,
} from './changes.ts'
import { cpuTimeMs } from './processes.ts'
import type { Viewer } from './viewers.ts'

/**
 * One burst of changes to the watched pipeline, `spacingMs` apart, while the viewers listen
 * and the API process's database connections are sampled. Latency is counted per (viewer,
 * change): the event of the change's version arriving, minus the moment its COMMIT returned.
 */
export interface BurstResult {
  label: string
  /** Streams open in the API process during the burst. */
  openViewers: number
  /** Of which on the pipeline that changes. */
  watchingViewers: number
  changes: number
  latencyMs: Distribution
  /** Per change, the first and the last viewer to get it: distributions over the changes. */
  firstViewerMs: Distribution
  lastViewerMs: Distribution
  /** Share of the burst the benchmark's event loop (which reads every stream) was busy. */
  clientLoopBusy: number
  /** CPU time per change of the API process, and of the benchmark process (the viewers). */
  apiCpuMsPerChange: number
  clientCpuMsPerChange: number
  /** (viewer, change) pairs expected and missed. */
  expected: number
  missed: number
  /** Every watching viewer's last event is the last committed version. */
  allAtLastVersion: boolean
  /** Events received meanwhile by viewers of the other pipelines (which did not change). */
  unrelatedEvents: number
  connections: {
    /** Just before the first change. */
    before: ConnectionSample
    maxTotal: number
    maxBusy: number
    samples: number
  }
  loadAverage: number
  busyCores: number | null
}

export interface BurstTarget {
  database: Database
  sql: Sql
  cpu: CpuSampler
  /** The API process, whose CPU time is read from /proc. */
  apiPid: number
  pipelineId: number
  jobId: number
  /** Numbers each change's progress, across bursts. */
  counter: { n: number }
}

export async function runBurst(
  target: BurstTarget,
  label: string,
  watching: readonly Viewer[],
  others: readonly Viewer[],
  changes: number,
  spacingMs: number,
  loadAverage: number,
): Promise<BurstResult> {
  const othersBefore = others.reduce((n, v) => n + v.events.length, 0)
  const before = await apiConnections(target.sql)
  const sampler = sampleConnections(target.sql)
  const committed: Committed[] = []
  const loopBefore = performance.eventLoopUtilization()
  const apiCpuBefore = cpuTimeMs(target.apiPid)
  const clientCpuBefore = process.cpuUsage()
  const from = performance.now()
  for (let i = 0; i < changes; i++) {
    const wait = from + i * spacingMs - performance.now()
    if (wait > 0) await sleep(wait)
    committed.push(
      await commitChange(target.database, target.pipelineId, target.jobId, ++target.counter.n),
    )
  }
  const last = committed.at(-1)!.version
  const deadline = performance.now() + 5000
  while (watching.some((v) => v.lastVersion() !== last) && performance.now() < deadline)
    await sleep(20)
  const to = performance.now()
  const clientLoopBusy = performance.eventLoopUtilization(loopBefore).utilization
  const apiCpuMs = cpuTimeMs(target.apiPid) - apiCpuBefore
  const clientCpu = process.cpuUsage(clientCpuBefore)
  const samples = await sampler.stop()

  const latencies: number[] = []
  const first = committed.map(() => Number.POSITIVE_INFINITY)
  const lastArrival = committed.map(() => Number.NEGATIVE_INFINITY)
  let missed = 0
  for (const v of watching) {
    committed.forEach((c, i) => {
      const at = v.arrivalOf(c.version)
      if (at === undefined) {
        missed++
        return
      }
      const latency = at - c.committedAt
      latencies.push(latency)
      first[i] = Math.min(first[i]!, latency)
      lastArrival[i] = Math.max(lastArrival[i]!, latency)
    })
  }
  return {
    label,
    openViewers: watching.length + others.length,
    watchingViewers: watching.length,
    changes,
    latencyMs: distribution(latencies),
    firstViewerMs: distribution(first.filter(Number.isFinite)),
    lastViewerMs: distribution(lastArrival.filter(Number.isFinite)),
    clientLoopBusy,
    apiCpuMsPerChange: apiCpuMs / changes,
    clientCpuMsPerChange: (clientCpu.user + clientCpu.system) / 1000 / changes,
    expected: watching.length * committed.length,
    missed,
    allAtLastVersion: watching.every((v) => v.lastVersion() === last),
    unrelatedEvents: others.reduce((n, v) => n + v.events.length, 0) - othersBefore,
    connections: {
      before,
      maxTotal: Math.max(...samples.map((s) => s.total)),
      maxBusy: Math.max(...samples.map((s) => s.busy)),
      samples: samples.length,
    },
    loadAverage,
    busyCores: target.cpu.busyCores(from, to),
  }
}
