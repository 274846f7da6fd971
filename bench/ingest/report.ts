import { describeMachine, type MachineInfo } from '../lib/machine.ts'
import { markdownTable, textTable, type Align } from '../lib/markdown.ts'
import type { Milestone } from './measure-upload.ts'

/** The figures of one ingest run, as written to bench/results/ingest-<timestamp>.json. */
export interface IngestResult {
  benchmark: 'ingest'
  /** `date -u` at the start of the run. */
  date: string
  startedAt: string
  machine: MachineInfo
  input: { rows: number; bytes: number; file: string }
  /**
   * How busy the machine was: the 1-minute load average at the start, and the cores in use
   * (every process, the benchmark's included) during C, during A, and from A's end to B's end.
   */
  load: {
    loadAverage: number
    busyCores: { copy: number | null; ingest: number | null; pipelineAfterIngest: number | null }
  }
  server: { bulkPathPureAsync: boolean; workerConcurrency: number; dbPoolMax: number }
  /** Seconds and rows per second of each measure. */
  copy: Measure
  ingest: Measure & { uploadAcceptedSeconds: number; jobId: number }
  pipeline: Measure & { pipelineId: number }
  ratios: {
    /** A rows/s over C rows/s (target >= 0.5). */
    ingestToCopy: number
    /** B seconds over A seconds (target <= 2). */
    pipelineToIngest: number
  }
  targets: { ingestToCopyMet: boolean; pipelineToIngestMet: boolean }
  /** The baseline loaded exactly the rows the ingestion stored (count and content hash). */
  baselineMatchesIngest: boolean
  /**
   * When each job was first seen running and finished by the 50 ms polls, in seconds since the
   * POST started (the jobs' own timestamps are transaction start times, which hide the COPY).
   */
  milestones: Milestone[]
}

export interface Measure {
  seconds: number
  rowsPerSecond: number
}

export const ingestToCopyTarget = 0.5
export const pipelineToIngestTarget = 2

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const secs = (n: number) => n.toFixed(2)
const ratio = (n: number) => `${n.toFixed(2)} x`
const cores = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2))
const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO')

function measures(r: IngestResult): [string[], string[][], Align[]] {
  return [
    ['Measure', 'Seconds', 'Rows/s'],
    [
      ['A: upload to csv_ingest FINISHED', secs(r.ingest.seconds), int(r.ingest.rowsPerSecond)],
      ['B: upload to pipeline SUCCESS', secs(r.pipeline.seconds), int(r.pipeline.rowsPerSecond)],
      ['C: raw COPY (baseline)', secs(r.copy.seconds), int(r.copy.rowsPerSecond)],
    ],
    ['left', 'right', 'right'],
  ]
}

function targets(r: IngestResult): [string[], string[][], Align[]] {
  return [
    ['Target', 'Measured', 'Required', 'Met'],
    [
      [
        'A/C, rows/s',
        ratio(r.ratios.ingestToCopy),
        `>= ${ingestToCopyTarget} x`,
        yesNo(r.targets.ingestToCopyMet),
      ],
      [
        'B/A, time',
        ratio(r.ratios.pipelineToIngest),
        `<= ${pipelineToIngestTarget} x`,
        yesNo(r.targets.pipelineToIngestMet),
      ],
    ],
    ['left', 'right', 'right', 'left'],
  ]
}

function breakdown(r: IngestResult): [string[], string[][], Align[]] {
  return [
    ['Seen (50 ms polls)', 'At (s)', 'Step (s)'],
    r.milestones.map((m, i) => [
      m.label,
      secs(m.seconds),
      secs(m.seconds - (i === 0 ? 0 : r.milestones[i - 1]!.seconds)),
    ]),
    ['left', 'right', 'right'],
  ]
}

export function printResult(r: IngestResult): void {
  console.log(`\n${int(r.input.rows)} plane rows, ${(r.input.bytes / 1e6).toFixed(1)} MB`)
  console.log(describeMachine(r.machine))
  console.log(
    `load average ${r.load.loadAverage.toFixed(2)} at the start; cores in use during C ` +
      `${cores(r.load.busyCores.copy)}, A ${cores(r.load.busyCores.ingest)}, B after A ` +
      `${cores(r.load.busyCores.pipelineAfterIngest)}`,
  )
  for (const table of [measures(r), targets(r), breakdown(r)])
    console.log(`\n${textTable(...table)}`)
  if (!r.baselineMatchesIngest)
    console.log('\nWARNING: the baseline rows differ from the ingested rows')
}

export function markdownSection(r: IngestResult): string {
  return [
    `### ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: ingest, ${int(r.input.rows)} plane rows`,
    '',
    `- Date: ${r.date}`,
    `- Machine: ${describeMachine(r.machine)}`,
    `- Input: ${int(r.input.rows)} rows, ${(r.input.bytes / 1e6).toFixed(1)} MB; server in-process ` +
      `(API and worker), BULK_PATH_PURE_ASYNC=${r.server.bulkPathPureAsync}, ` +
      `WORKER_CONCURRENCY=${r.server.workerConcurrency}, DB_POOL_MAX=${r.server.dbPoolMax}`,
    `- Machine load: load average ${r.load.loadAverage.toFixed(2)} at the start; cores in use ` +
      `(all processes) during C ${cores(r.load.busyCores.copy)}, A ${cores(r.load.busyCores.ingest)}, ` +
      `B after A ${cores(r.load.busyCores.pipelineAfterIngest)} of ${r.machine.cores}`,
    `- Baseline rows identical to the ingested rows (count and content hash): ` +
      `${r.baselineMatchesIngest ? 'yes' : 'NO'}`,
    '',
    markdownTable(...measures(r)),
    '',
    markdownTable(...targets(r)),
    '',
    'Where the time goes, as seen by the polls (seconds since the POST started):',
    '',
    markdownTable(...breakdown(r)),
    '',
  ].join('\n')
}
