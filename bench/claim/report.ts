import { describeMachine, type MachineInfo } from '../lib/machine.ts'
import { markdownTable, textTable, type Align } from '../lib/markdown.ts'
import type { CpuShare } from '../lib/cpu-profile.ts'
import type { StatementProfile } from '../lib/pg-log.ts'
import { ms, type Distribution } from '../lib/stats.ts'
import type { System } from './protocol.ts'
import type { ThroughputRun } from './throughput.ts'

/** The figures of one claim run, as written to bench/results/claim-<timestamp>.json. */
export interface ClaimResult {
  benchmark: 'claim'
  date: string
  startedAt: string
  machine: MachineInfo
  load: {
    /** 1-minute load average at the start and at the end of the pickup measure. */
    loadAverageStart: number
    loadAverageAfterPickup: number
    /** Cores in use (every process) during the pickup measure. */
    pickupBusyCores: number | null
  }
  pickup: {
    warmup: number
    samples: number
    /** Each system's clock offset to the benchmark's, and the round trip it was taken from. */
    clock: Record<System, { offsetMs: number; rttMs: number }>
    fromEnqueue: Record<System, Distribution>
    fromCommit: Record<System, Distribution>
    enqueue: Record<System, Distribution>
  }
  throughput: {
    jobsPerRound: number
    rounds: ThroughputRun[]
    /** All rounds of a system together: jobs over seconds. */
    jobsPerSecond: Record<System, number>
    /** Ours over graphile-worker's. */
    ratio: number
  }
  /**
   * A separate, smaller round of each, not timed: the worker processes' CPU profiles and, if
   * PostgreSQL's log could be read, every statement (logging slows PostgreSQL).
   */
  profile: {
    jobs: number
    statements: { ours: StatementProfile; graphile: StatementProfile } | null
    statementsSkipped?: string
    /** Worker processes' CPU per job, by category (ms). */
    cpu: { ours: CpuShare[]; graphile: CpuShare[] }
  }
  targets: { pickupUnder10ms: boolean; pickupNoWorseThanGraphile: boolean; throughput: boolean }
}

export const pickupTargetMs = 10

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const one = (n: number) => n.toFixed(1)
const cores = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2))
const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO')
const label: Record<System, string> = { ours: 'Carbon Sync', graphile: 'graphile-worker 0.17.3' }

type Table = [string[], string[][], Align[]]

function pickupTable(r: ClaimResult): Table {
  const row = (s: System, what: string, d: Distribution) => [
    label[s],
    what,
    ms(d.p50),
    ms(d.p95),
    ms(d.p99),
    ms(d.max),
  ]
  return [
    ['Pickup latency (ms)', 'Measured from', 'p50', 'p95', 'p99', 'max'],
    [
      row('ours', 'before the enqueue', r.pickup.fromEnqueue.ours),
      row('graphile', 'before the enqueue', r.pickup.fromEnqueue.graphile),
      row('ours', 'enqueue returned', r.pickup.fromCommit.ours),
      row('graphile', 'enqueue returned', r.pickup.fromCommit.graphile),
      row('ours', '(enqueue itself)', r.pickup.enqueue.ours),
      row('graphile', '(enqueue itself)', r.pickup.enqueue.graphile),
    ],
    ['left', 'left', 'right', 'right', 'right', 'right'],
  ]
}

function roundsTable(r: ClaimResult): Table {
  return [
    [
      'Round',
      'System',
      'Jobs',
      'Seconds',
      'Jobs/s',
      'Per process',
      'Jobs/s (own timestamps)',
      'Worker CPU ms/job',
      'Cores in use',
    ],
    r.throughput.rounds.map((t, i) => [
      String(i + 1),
      label[t.system],
      int(t.jobs),
      t.seconds.toFixed(2),
      one(t.jobsPerSecond),
      t.perProcess.map(int).join(' + '),
      t.dbJobsPerSecond === null ? '-' : one(t.dbJobsPerSecond),
      ms(t.workerCpuMsPerJob),
      cores(t.busyCores),
    ]),
    ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  ]
}

function targetsTable(r: ClaimResult): Table {
  const p = r.pickup.fromEnqueue
  return [
    ['Target', 'Measured', 'Required', 'Met'],
    [
      [
        'Pickup p50, ours',
        `${ms(p.ours.p50)} ms`,
        `< ${pickupTargetMs} ms`,
        yesNo(r.targets.pickupUnder10ms),
      ],
      [
        'Pickup p50, ours vs graphile-worker',
        `${ms(p.ours.p50)} vs ${ms(p.graphile.p50)} ms`,
        '<=',
        yesNo(r.targets.pickupNoWorseThanGraphile),
      ],
      [
        'Throughput, ours / graphile-worker',
        `${r.throughput.ratio.toFixed(2)} x`,
        '>= 1 x',
        yesNo(r.targets.throughput),
      ],
    ],
    ['left', 'right', 'right', 'left'],
  ]
}

type Statements = NonNullable<ClaimResult['profile']['statements']>

function profileTable(p: ClaimResult['profile'], st: Statements): Table {
  const row = (s: System, x: StatementProfile) => [
    label[s],
    (x.statements / p.jobs).toFixed(1),
    (x.transactions / p.jobs).toFixed(1),
    ms(x.serverMs / p.jobs),
  ]
  return [
    ['Per job', 'Statements', 'Transactions (BEGIN)', 'Server-side ms'],
    [row('ours', st.ours), row('graphile', st.graphile)],
    ['left', 'right', 'right', 'right'],
  ]
}

function shapesTable(p: ClaimResult['profile'], st: Statements, system: System): Table {
  const x = st[system]
  return [
    [`${label[system]}: statement`, 'Per job', 'ms per job'],
    x.shapes
      .filter((s) => s.count >= p.jobs / 10)
      .map((s) => [
        `\`${s.shape.replaceAll('|', '\\|').replaceAll('`', "'")}\``,
        (s.count / p.jobs).toFixed(2),
        (s.ms / p.jobs).toFixed(3),
      ]),
    ['left', 'right', 'right'],
  ]
}

function cpuTable(p: ClaimResult['profile']): Table {
  const names = [...new Set([...p.cpu.ours, ...p.cpu.graphile].map((c) => c.category))]
  const of = (list: CpuShare[], name: string) => list.find((c) => c.category === name)?.ms ?? 0
  const total = (list: CpuShare[]) => list.reduce((n, c) => n + c.ms, 0)
  const cells = (list: CpuShare[], name: string) => [
    ms(of(list, name)),
    `${Math.round((100 * of(list, name)) / (total(list) || 1))} %`,
  ]
  return [
    ['Worker processes, profiled ms per job', label.ours, 'share', label.graphile, 'share'],
    [
      ...names
        .sort((a, b) => of(p.cpu.ours, b) - of(p.cpu.ours, a))
        .map((n) => [n, ...cells(p.cpu.ours, n), ...cells(p.cpu.graphile, n)]),
      ['total (idle excluded)', ms(total(p.cpu.ours)), '100 %', ms(total(p.cpu.graphile)), '100 %'],
    ],
    ['left', 'right', 'right', 'right', 'right'],
  ]
}

export function printResult(r: ClaimResult): void {
  console.log(`\n${describeMachine(r.machine)}`)
  console.log(
    `load average ${r.load.loadAverageStart.toFixed(2)} at the start, ` +
      `${r.load.loadAverageAfterPickup.toFixed(2)} after the pickup measure; cores in use ` +
      `during it ${cores(r.load.pickupBusyCores)}`,
  )
  const p = r.profile
  const tables = [pickupTable(r), roundsTable(r), targetsTable(r), cpuTable(p)]
  if (p.statements) tables.push(profileTable(p, p.statements))
  for (const table of tables) console.log(`\n${textTable(...table)}`)
  if (p.statements)
    for (const s of ['ours', 'graphile'] as const)
      console.log(`\n${textTable(...shapesTable(p, p.statements, s))}`)
  if (p.statementsSkipped) console.log(`\nStatement profile skipped: ${p.statementsSkipped}`)
}

export function markdownSection(r: ClaimResult): string {
  const t = r.throughput
  const lines = [
    `### ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: claim, pickup latency and trivial-job throughput`,
    '',
    `- Date: ${r.date}`,
    `- Machine: ${describeMachine(r.machine)}`,
    `- Machine load: load average ${r.load.loadAverageStart.toFixed(2)} at the start, ` +
      `${r.load.loadAverageAfterPickup.toFixed(2)} after the pickup measure; cores in use (all ` +
      `processes) during the pickup measure ${cores(r.load.pickupBusyCores)} of ${r.machine.cores}, ` +
      `during each throughput round in the table`,
    `- Pickup: one idle worker process per system (ours: the server's \`Worker\`, ` +
      `WORKER_CONCURRENCY=1, POLL_INTERVAL_MS=1000, a csv_ingest handler that only calls ` +
      `\`ctx.finish\`; graphile-worker: \`run()\`, concurrency 1, pollInterval 2000, a \`noop\` ` +
      `task), both woken by LISTEN/NOTIFY; the benchmark process enqueues one job at a time ` +
      `(ours: \`createPipeline\`, one statement; graphile-worker: \`addJob\`), waits for the ` +
      `handler to start and the job to end, then 30 to 50 ms; ${r.pickup.warmup} warm-up then ` +
      `${r.pickup.samples} samples per system, the two systems alternating. The handler start ` +
      `is timed in the worker process; its clock offset was measured over IPC (ours ` +
      `${ms(r.pickup.clock.ours.offsetMs)} ms within +-${ms(r.pickup.clock.ours.rttMs / 2)} ms, ` +
      `graphile-worker's ${ms(r.pickup.clock.graphile.offsetMs)} ms within ` +
      `+-${ms(r.pickup.clock.graphile.rttMs / 2)} ms). "Before the enqueue" (the target's ` +
      `measure) includes the enqueue; "enqueue returned" starts after its COMMIT ` +
      `was acknowledged, a lower bound.`,
    `- Throughput: ${int(t.jobsPerRound)} trivial jobs queued up front with plain INSERTs (ours: ` +
      `a pipeline, the job, its pipeline_jobs link and its QUEUED event each; graphile-worker: ` +
      `\`addJobs\`), then 2 worker processes of concurrency 1, unbatched (graphile-worker's ` +
      `defaults: no local queue, no completion batching); seconds from the first handler start ` +
      `to a 20 ms poll finding no job left, for both; rounds in the order ours, graphile, ` +
      `graphile, ours. Ours also from its own timestamps (min(started_at) to max(finished_at)).`,
    '',
    markdownTable(...pickupTable(r)),
    '',
    markdownTable(...roundsTable(r)),
    '',
    `All rounds: ours ${one(t.jobsPerSecond.ours)} jobs/s, graphile-worker ` +
      `${one(t.jobsPerSecond.graphile)} jobs/s, ratio ${t.ratio.toFixed(2)} x.`,
    '',
    markdownTable(...targetsTable(r)),
    '',
  ]
  const p = r.profile
  lines.push(
    `Where the time goes, from a separate round of ${int(p.jobs)} jobs per system (not timed). ` +
      `First the worker processes, from V8 CPU profiles taken in each process from \`go\` to ` +
      `the queue drained: self time by what the code belongs to, idle excluded, summed over ` +
      `both processes, per job. The profiler samples wall time while a thread is not idle, ` +
      `waits for a core included, so these add up to more than the CPU time of the rounds ` +
      `above (and profiling slows the process): read them as shares.`,
    '',
    markdownTable(...cpuTable(p)),
    '',
  )
  if (p.statements) {
    lines.push(
      `Then PostgreSQL's statement log (\`log_min_duration_statement = 0\` on the benchmark ` +
        `database) over the same rounds, start-up of the worker processes included. Server-side ` +
        `time is what PostgreSQL reports per statement (parse, bind, execute; our COMMITs ` +
        `include their WAL flush). graphile-worker runs each statement in an implicit ` +
        `transaction, which commits at the protocol's Sync, after the logged duration: its two ` +
        `WAL flushes per job are not in its figure.`,
      '',
      markdownTable(...profileTable(p, p.statements)),
      '',
      markdownTable(...shapesTable(p, p.statements, 'ours')),
      '',
      markdownTable(...shapesTable(p, p.statements, 'graphile')),
      '',
    )
  } else if (p.statementsSkipped) {
    lines.push(`Statement profile skipped: ${p.statementsSkipped}`, '')
  }
  return lines.join('\n')
}
