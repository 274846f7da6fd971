import { describeMachine, type MachineInfo } from '../lib/machine.ts'
import { markdownTable, textTable, type Align } from '../lib/markdown.ts'
import { ms, type Distribution } from '../lib/stats.ts'
import type { LatencyMeasure } from './measure.ts'

/** EXPLAIN (ANALYZE, BUFFERS) of the endpoint's statement on a dataset. */
export interface Plan {
  executionMs: number | null
  lines: string[]
}

/** One measured state of the database. */
export interface Dataset extends LatencyMeasure {
  label: string
  plan: Plan | null
  /** Pipelines of institution A in the requested year. */
  pipelines: number
  loadAverage: number
  busyCores: number | null
}

/** The figures of one run, as written to bench/results/active-pipelines-<timestamp>.json. */
export interface ActivePipelinesResult {
  benchmark: 'active-pipelines'
  date: string
  startedAt: string
  machine: MachineInfo
  load: { loadAverageStart: number }
  request: { year: number; modules: number; modulesWithPipelines: number; warmup: number }
  datasets: Dataset[]
  /** From PostgreSQL's statement log, with a server whose sessions log every statement. */
  logged: {
    requests: number
    statementsPerRequest: number
    activePipelinesPerRequest: number
    shapes: { shape: string; perRequest: number }[]
    /** Server-side execution time of the endpoint's statement. */
    queryExecuteMs: Distribution
  } | null
  loggedSkipped?: string
  targets: { p50: boolean; oneStatement: boolean }
}

export const targetMs = 20

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const cores = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2))
const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO')
const range = (r: { min: number; max: number }) =>
  r.min === r.max ? String(r.min) : `${r.min}-${r.max}`

type Table = [string[], string[][], Align[]]

function latencyTable(r: ActivePipelinesResult): Table {
  return [
    [
      'Database',
      'Pipelines (inst. A, year)',
      'Requests',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'Statements/request',
      'unnest( statements/request',
      'EXPLAIN ANALYZE ms',
      'Load avg',
      'Cores in use',
    ],
    r.datasets.map((d) => [
      d.label,
      int(d.pipelines),
      int(d.requests),
      ms(d.latencyMs.p50),
      ms(d.latencyMs.p95),
      ms(d.latencyMs.p99),
      ms(d.latencyMs.max),
      range(d.statements.perRequest),
      range(d.statements.activePipelinesPerRequest),
      d.plan?.executionMs == null ? 'n/a' : ms(d.plan.executionMs),
      d.loadAverage.toFixed(2),
      cores(d.busyCores),
    ]),
    ['left', ...Array.from({ length: 11 }, () => 'right' as const)],
  ]
}

function loggedTable(l: NonNullable<ActivePipelinesResult['logged']>): Table {
  return [
    ['Statement (PostgreSQL log)', 'Per request'],
    l.shapes.map((s) => [
      `\`${s.shape.replaceAll('|', '\\|').replaceAll('`', "'")}\``,
      s.perRequest.toFixed(2),
    ]),
    ['left', 'right'],
  ]
}

function targetsTable(r: ActivePipelinesResult): Table {
  const seeded = r.datasets[0]!
  const one = r.logged
    ? `${range(seeded.statements.activePipelinesPerRequest)} (log: ${r.logged.activePipelinesPerRequest.toFixed(2)})`
    : range(seeded.statements.activePipelinesPerRequest)
  return [
    ['Target', 'Measured', 'Required', 'Met'],
    [
      [
        'p50, 50 modules',
        `${ms(seeded.latencyMs.p50)} ms`,
        `< ${targetMs} ms`,
        yesNo(r.targets.p50),
      ],
      ['Endpoint statements per request', one, '1', yesNo(r.targets.oneStatement)],
    ],
    ['left', 'right', 'right', 'left'],
  ]
}

export function printResult(r: ActivePipelinesResult): void {
  console.log(`\n${describeMachine(r.machine)}`)
  console.log(`load average ${r.load.loadAverageStart.toFixed(2)} at the start`)
  const tables = [latencyTable(r)]
  if (r.logged) tables.push(loggedTable(r.logged))
  tables.push(targetsTable(r))
  for (const table of tables) console.log(`\n${textTable(...table)}`)
  if (r.logged)
    console.log(
      `\nserver-side execution of the query: p50 ${ms(r.logged.queryExecuteMs.p50)} ms, ` +
        `max ${ms(r.logged.queryExecuteMs.max)} ms`,
    )
  if (r.loggedSkipped) console.log(`\nstatement log skipped: ${r.loggedSkipped}`)
}

export function markdownSection(r: ActivePipelinesResult): string {
  const seeded = r.datasets[0]!
  const history = r.datasets.slice(1)
  const largest = r.datasets.at(-1)!
  const lines = [
    `### ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: active-pipelines, ${r.request.modules} modules`,
    '',
    `- Date: ${r.date}`,
    `- Machine: ${describeMachine(r.machine)}`,
    `- Machine load: load average ${r.load.loadAverageStart.toFixed(2)} at the start; per ` +
      `measure in the table (cores in use: all processes, of ${r.machine.cores})`,
    `- Request: \`GET /api/v1/sync/active-pipelines?year=${r.request.year}&modules=1,...,${r.request.modules}\` ` +
      `signed in as the demo data manager (session cookie); ${r.request.modulesWithPipelines} of ` +
      `the ${r.request.modules} modules have pipelines. ${r.request.warmup} warm-up requests, then ` +
      `${int(seeded.requests)} sequential ones timed by the client (fetch, body read).`,
    `- Server: role api (no worker, so that nothing else queries) in the benchmark process, on ` +
      `PostgreSQL after the demo seed ran to the end; statements counted through ` +
      `\`openPostgres\`'s \`onQuery\` hook during each timed request.` +
      (history.length > 0
        ? ` Further rows: the same after adding finished pipelines of institution A for that ` +
          `year over its 8 modules (a longer history; ${int(history[0]!.requests)} timed ` +
          `requests each), with EXPLAIN ANALYZE of the statement as the server sent it.`
        : ''),
    '',
    markdownTable(...latencyTable(r)),
    '',
  ]
  if (r.logged) {
    lines.push(
      `PostgreSQL's own log (\`log_min_duration_statement = 0\` on the benchmark database, a ` +
        `fresh server whose sessions log) over ${r.logged.requests} more requests: ` +
        `${r.logged.statementsPerRequest.toFixed(2)} statements per request; the endpoint's ` +
        `query executes in ${ms(r.logged.queryExecuteMs.p50)} ms at the median (max ` +
        `${ms(r.logged.queryExecuteMs.max)} ms), server side, on the demo seed's data.`,
      '',
      markdownTable(...loggedTable(r.logged)),
      '',
    )
  } else if (r.loggedSkipped) {
    lines.push(`PostgreSQL's statement log not read: ${r.loggedSkipped}`, '')
  }
  lines.push(markdownTable(...targetsTable(r)), '')
  if (largest.plan && largest !== seeded)
    lines.push(
      `The statement's plan with ${int(largest.pipelines)} pipelines of the institution in ` +
        `that year (EXPLAIN (ANALYZE, BUFFERS), parameters as the server sent them):`,
      '',
      '```text',
      ...largest.plan.lines,
      '```',
      '',
    )
  return lines.join('\n')
}
