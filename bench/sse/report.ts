import { describeMachine, type MachineInfo } from '../lib/machine.ts'
import { markdownTable, textTable, type Align } from '../lib/markdown.ts'
import { ms } from '../lib/stats.ts'
import type { BurstResult } from './burst.ts'
import type { MemoryReading, StreamGauges } from './processes.ts'

/** The figures of one SSE run, as written to bench/results/sse-<timestamp>.json. */
export interface SseResult {
  benchmark: 'sse'
  date: string
  startedAt: string
  machine: MachineInfo
  /** `ulimit -n` of the benchmark. */
  fileDescriptorLimit: string
  load: { loadAverageStart: number }
  setup: {
    watchedPipelineId: number
    otherPipelineIds: number[]
    spacingMs: number
    /** Wait after opening viewers, before a burst: longer than the pool's idle timeout. */
    settleMs: number
  }
  bursts: BurstResult[]
  memory: {
    viewers: number
    baseline: MemoryReading
    open: MemoryReading
    /** After every viewer left. */
    closed: MemoryReading
    perViewerResidentBytes: number
    perViewerHeapBytes: number | null
  }
  gauges: {
    baseline: StreamGauges
    open: StreamGauges
    /** One second after the last viewer disconnected. */
    oneSecondAfterClose: StreamGauges
    /** How long until both gauges were back at their baseline (100 ms polls). */
    backToBaselineMs: number | null
  }
  targets: {
    p50: boolean
    p99: boolean
    connectionsConstant: boolean
    noEventMissed: boolean
    gaugesBackWithinOneSecond: boolean
  }
}

export const p50TargetMs = 50
export const p99TargetMs = 250

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
const cores = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2))
const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO')

type Table = [string[], string[][], Align[]]

function burstTable(r: SseResult): Table {
  return [
    [
      'Open streams',
      'Watching',
      'Changes',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'Missed',
      'API db conns (max, busy max)',
      'Load avg',
      'Cores in use',
    ],
    r.bursts.map((b) => [
      int(b.openViewers),
      int(b.watchingViewers),
      String(b.changes),
      ms(b.latencyMs.p50),
      ms(b.latencyMs.p95),
      ms(b.latencyMs.p99),
      ms(b.latencyMs.max),
      `${b.missed} of ${int(b.expected)}`,
      `${b.connections.maxTotal}, ${b.connections.maxBusy}`,
      b.loadAverage.toFixed(2),
      cores(b.busyCores),
    ]),
    [
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
  ]
}

function spreadTable(r: SseResult): Table {
  return [
    [
      'Open streams',
      'First viewer p50 ms',
      'First viewer max ms',
      'Last viewer p50 ms',
      'Last viewer max ms',
      'Client event loop busy',
      'API CPU ms/change',
      'Client CPU ms/change',
    ],
    r.bursts.map((b) => [
      int(b.openViewers),
      ms(b.firstViewerMs.p50),
      ms(b.firstViewerMs.max),
      ms(b.lastViewerMs.p50),
      ms(b.lastViewerMs.max),
      `${Math.round(b.clientLoopBusy * 100)} %`,
      ms(b.apiCpuMsPerChange),
      ms(b.clientCpuMsPerChange),
    ]),
    ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  ]
}

function resourcesTable(r: SseResult): Table {
  const g = r.gauges
  return [
    [
      'API process',
      'Before viewers',
      `${int(r.memory.viewers)} viewers open`,
      'After closing (gauges: 1 s after)',
    ],
    [
      [
        'Resident memory (after GC)',
        mib(r.memory.baseline.residentBytes),
        mib(r.memory.open.residentBytes),
        mib(r.memory.closed.residentBytes),
      ],
      [
        'JS heap used (after GC)',
        mib(r.memory.baseline.heapUsedBytes),
        mib(r.memory.open.heapUsedBytes),
        mib(r.memory.closed.heapUsedBytes),
      ],
      [
        'carbon_sync_sse_sessions',
        int(g.baseline.sessions),
        int(g.open.sessions),
        int(g.oneSecondAfterClose.sessions),
      ],
      [
        'carbon_sync_sse_channels',
        int(g.baseline.channels),
        int(g.open.channels),
        int(g.oneSecondAfterClose.channels),
      ],
    ],
    ['left', 'right', 'right', 'right'],
  ]
}

function targetsTable(r: SseResult): Table {
  const main = r.bursts.at(-1)!
  const first = r.bursts[0]!
  return [
    ['Target', 'Measured', 'Required', 'Met'],
    [
      [
        'Change to event, p50',
        `${ms(main.latencyMs.p50)} ms`,
        `< ${p50TargetMs} ms`,
        yesNo(r.targets.p50),
      ],
      [
        'Change to event, p99',
        `${ms(main.latencyMs.p99)} ms`,
        `< ${p99TargetMs} ms`,
        yesNo(r.targets.p99),
      ],
      [
        'API db connections, 10 vs 1,100 streams',
        `${first.connections.maxTotal} vs ${main.connections.maxTotal}`,
        'constant',
        yesNo(r.targets.connectionsConstant),
      ],
      ['Events missed', String(main.missed), '0', yesNo(r.targets.noEventMissed)],
      [
        'Gauges back to baseline',
        r.gauges.backToBaselineMs === null ? 'never' : `${int(r.gauges.backToBaselineMs)} ms`,
        '<= 1 s',
        yesNo(r.targets.gaugesBackWithinOneSecond),
      ],
    ],
    ['left', 'right', 'right', 'left'],
  ]
}

function perViewer(r: SseResult): string {
  const heap = r.memory.perViewerHeapBytes
  return (
    `${kib(r.memory.perViewerResidentBytes)} resident, ` +
    `${heap === null ? 'n/a' : kib(heap)} of JS heap (${int(r.memory.viewers)} viewers)`
  )
}

export function printResult(r: SseResult): void {
  console.log(`\n${describeMachine(r.machine)}; ulimit -n ${r.fileDescriptorLimit}`)
  console.log(`load average ${r.load.loadAverageStart.toFixed(2)} at the start`)
  for (const table of [burstTable(r), spreadTable(r), resourcesTable(r), targetsTable(r)])
    console.log(`\n${textTable(...table)}`)
  console.log(`\nmemory per viewer: ${perViewer(r)}`)
}

export function markdownSection(r: SseResult): string {
  const main = r.bursts.at(-1)!
  return [
    `### ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: sse, ${int(main.watchingViewers)} ` +
      `viewers of one pipeline plus ${int(main.openViewers - main.watchingViewers)} of 10 others`,
    '',
    `- Date: ${r.date}`,
    `- Machine: ${describeMachine(r.machine)}; \`ulimit -n\` ${r.fileDescriptorLimit}`,
    `- Machine load: load average ${r.load.loadAverageStart.toFixed(2)} at the start; per burst ` +
      `in the table (cores in use: all processes, of ${r.machine.cores})`,
    `- Setup: the server as deployed, \`node --import tsx src/main.ts api\` (no worker) on ` +
      `PostgreSQL with the demo seed (created by a first api process and run by a \`worker\` ` +
      `process, both stopped before the measured api process started; 3 viewers and 3 changes ` +
      `warmed it up before its baseline). Watched: recalculation pipeline ${r.setup.watchedPipelineId}; others: ` +
      `${r.setup.otherPipelineIds.join(', ')} (recalculations of institution A created through ` +
      `\`POST /api/v1/sync/recalculate\`, kept QUEUED with run_after 10 years ahead). Viewers ` +
      `are raw SSE readers in the benchmark process (node:http, one connection each, the demo ` +
      `data manager's session cookie).`,
    `- Each change: one transaction, as a worker's progress write (UPDATE of the job's ` +
      `meta.progress, then \`refreshPipelinesOfJobs\`, which bumps the version and NOTIFYs); ` +
      `changes ${r.setup.spacingMs} ms apart; latency = arrival of that version's event at a ` +
      `viewer minus the moment the COMMIT returned, over every (viewer, change). Both clocks are ` +
      `the benchmark process's, whose event loop also reads every stream: the figures include ` +
      `the client's own delay.`,
    `- Connections: \`pg_stat_activity\` rows with application_name carbon-sync-api, sampled ` +
      `every 50 ms during each burst; each burst starts ${r.setup.settleMs / 1000} s after its ` +
      `viewers opened, so that the pool connections used to open them (authentication and ` +
      `first snapshot are ordinary requests) have been closed by the pool's 10 s idle timeout.`,
    `- Memory per viewer: ${perViewer(r)}: (memory with ${int(r.memory.viewers)} streams ` +
      `open - before any) / ${int(r.memory.viewers)}. Read after full garbage collections: the ` +
      `api process runs with \`--expose-gc\` and a preload of the benchmark's ` +
      `(bench/sse/gc-preload.mjs) that collects on SIGUSR2; medians of 3 readings 1 s after a ` +
      `collection; resident memory from /proc, heap from /metrics. The heap figure is the ` +
      `one to read: the resident size keeps pages the process once used.`,
    '',
    markdownTable(...burstTable(r)),
    '',
    'Per change, when the first and the last watching viewer got it (distributions over the ' +
      'changes of each burst), how busy the benchmark process, which reads every stream, was ' +
      'meanwhile, and the CPU time per change of the API process (/proc, 10 ms ticks over the ' +
      'whole burst) and of the benchmark process:',
    '',
    markdownTable(...spreadTable(r)),
    '',
    markdownTable(...resourcesTable(r)),
    '',
    markdownTable(...targetsTable(r)),
    '',
  ].join('\n')
}
