import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const repoDir = path.resolve(benchDir, '..')
/** Scratch files (generated inputs); gitignored. */
export const tmpDir = path.join(benchDir, '.tmp')
/** One JSON file per run; gitignored. */
export const resultsDir = path.join(benchDir, 'results')
export const benchmarksDoc = path.join(repoDir, 'docs', 'benchmarks.md')

/** `2026-11-22T06-21-28Z`: sortable and safe in a file name. */
export function fileTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-')
}

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export async function writeResultJson(name: string, date: Date, data: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${name}-${fileTimestamp(date)}.json`)
  await writeFile(file, JSON.stringify(data, null, 2) + '\n')
  return file
}

const intro = `# Benchmarks

The performance targets of SPEC §10, measured by \`pnpm bench\`. Each run appends a dated
section below with the machine it ran on; raw figures also go to \`bench/results/*.json\`
(not committed).

## How to run

PostgreSQL must be reachable as \`postgres://postgres@127.0.0.1:5432/postgres\` (set
\`TEST_PG_ADMIN_URL\` otherwise): each benchmark creates a throwaway database (\`cs_bench_*\`)
and drops it at the end, also on failure or Ctrl-C; a run killed outright leaves it behind,
and the next run drops it.

- \`pnpm bench\`: every benchmark under \`bench/*/\`.
- \`pnpm bench ingest\`: one benchmark by name.

## What each benchmark measures

- **ingest** (\`bench/ingest/\`): a generated 1,000,000-row plane CSV (seeded pseudo-random
  rows over the demo institution A's units and the seeded airports) uploaded over HTTP to
  the real server (API and worker in one process, \`BULK_PATH_PURE_ASYNC=true\`) by the demo
  data manager.
  - **A**, upload to ingestion FINISHED: from before the multipart POST until the
    \`csv_ingest\` job reads FINISHED (polled every 50 ms).
  - **B**, whole pipeline: the same start until the pipeline is SUCCESS (ingestion, emission
    recalculation, aggregation).
  - **C**, baseline: a raw \`COPY data_entries (...) FROM STDIN\` of the same rows, pre-rendered
    in memory in the very COPY text lines the ingestion writes, in one transaction, on the
    same database, before A (its rows are deleted and the table compacted before A starts;
    a CHECKPOINT precedes both).
  - Targets: A's rows/s at least 0.5 x C's; B at most 2 x A.
  - The machine's load (load average, cores in use during each measure) is recorded with the
    figures: on a shared machine they vary by tens of percent from run to run.
  - \`BENCH_INGEST_ROWS\` runs a smaller file (for profiling); only full-size runs are recorded
    here.

## Results
`

/** Appends a section to docs/benchmarks.md, creating the file with its introduction if missing. */
export async function appendToBenchmarksDoc(section: string): Promise<void> {
  if (!existsSync(benchmarksDoc)) {
    await mkdir(path.dirname(benchmarksDoc), { recursive: true })
    await writeFile(benchmarksDoc, intro)
  }
  const current = await readFile(benchmarksDoc, 'utf8')
  const separator = current.endsWith('\n\n') ? '' : current.endsWith('\n') ? '\n' : '\n\n'
  // Formatted as the repository formats markdown, so that `pnpm test` (prettier --check) stays
  // green after a run.
  const prettier = await import('prettier')
  const options = (await prettier.resolveConfig(benchmarksDoc)) ?? {}
  const next = await prettier.format(`${current}${separator}${section.trimEnd()}\n`, {
    ...options,
    filepath: benchmarksDoc,
  })
  await writeFile(benchmarksDoc, next)
}
