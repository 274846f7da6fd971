import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import postgres, { type Sql } from 'postgres'
import { testConfig } from '@carbon-sync/server/src/config.ts'
import { openPostgres, runMigrations } from '@carbon-sync/server/src/db/client.ts'
import { demoInstitution } from '@carbon-sync/server/src/domain/seed/demo-data.ts'
import { loadAirports } from '@carbon-sync/server/src/domain/seed/locations.ts'
import { createLogger } from '@carbon-sync/server/src/log.ts'
import { startProcess, type Running } from '@carbon-sync/server/src/server.ts'
import { note, secondsSince, sleep, type Benchmark } from '../lib/benchmark.ts'
import { withCleanup } from '../lib/cleanup.ts'
import { CpuSampler } from '../lib/cpu.ts'
import { createBenchDatabase, dropStaleBenchDatabases } from '../lib/database.ts'
import { describeMachine, machineInfo } from '../lib/machine.ts'
import { appendToBenchmarksDoc, tmpDir, writeResultJson } from '../lib/results.ts'
import { renderCopyLines, timeCopy, type BaselineScope } from './baseline-copy.ts'
import { writePlaneCsv } from './generate-csv.ts'
import { measureUpload, signIn } from './measure-upload.ts'
import {
  ingestToCopyTarget,
  markdownSection,
  pipelineToIngestTarget,
  printResult,
  type IngestResult,
} from './report.ts'

/**
 * SPEC §10, CSV ingest: 1,000,000 plane rows uploaded to the real server, against a raw COPY
 * of the same rows into the same table, in the same run and on the same database.
 */
const fullRows = 1_000_000
const year = 2025
const moduleTypeId = 2
const dataEntryTypeId = 20
const manager = { email: 'manager@demo-a.test', password: 'carbon-sync-demo' }

function rowCount(): number {
  const raw = process.env['BENCH_INGEST_ROWS']
  if (raw === undefined || raw === '') return fullRows
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_INGEST_ROWS must be a positive integer`)
  return n
}

/** Waits until every job (the demo seed's pipelines) is FINISHED; fails if one ended in ERROR. */
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

/** Count and an order-independent hash of entries, to compare the baseline with the ingestion. */
async function fingerprint(sql: Sql, jobId: number): Promise<string> {
  const [row] = await sql<{ n: number; h: string }[]>`
    SELECT count(*)::int AS n,
           coalesce(sum(hashtext(unit_id::text || ' ' || data::text)), 0)::text AS h
    FROM data_entries WHERE job_id = ${jobId} AND source = 'csv'`
  return `${row?.n}:${row?.h}`
}

async function run(): Promise<void> {
  const rows = rowCount()
  const started = new Date()
  const date = execFileSync('date', ['-u'], { encoding: 'utf8' }).trim()
  const loadAverage = os.loadavg()[0]!
  const cpu = new CpuSampler()

  await withCleanup(async (defer) => {
    // 1. The input file.
    const csvFile = path.join(tmpDir, `plane-${rows}.csv`)
    const units = demoInstitution('a').units.map((u) => u.institutionalId)
    const airports = loadAirports().map((a) => a.iataCode)
    let t = performance.now()
    const csvBytes = await writePlaneCsv(csvFile, { rows, year, seed: 20250101, units, airports })
    note(
      `generated ${csvFile} (${(csvBytes / 1e6).toFixed(1)} MB) in ${secondsSince(t).toFixed(1)} s`,
    )

    // 2. A fresh database and the real server on it, with the demo seed done.
    const stale = await dropStaleBenchDatabases()
    if (stale.length > 0)
      note(`dropped ${stale.length} stale benchmark database(s): ${stale.join(', ')}`)
    const created = await createBenchDatabase()
    defer('drop the benchmark database', () => created.drop())
    const sql = postgres(created.url, { max: 2, onnotice: () => {} })
    defer('close the benchmark connection', () => sql.end({ timeout: 5 }))
    const config = testConfig({
      DATABASE_URL: created.url,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'silent',
      BULK_PATH_PURE_ASYNC: 'true',
      UPLOAD_MAX_BYTES: String(Math.max(64 * 1024 * 1024, 2 * csvBytes)),
    })
    const database = await openPostgres({
      url: created.url,
      poolMax: config.DB_POOL_MAX,
      applicationName: 'carbon-sync-all',
    })
    let running: Running
    try {
      await runMigrations(database, created.url)
      running = await startProcess(config, 'all', createLogger(config.LOG_LEVEL), {
        database,
        staticDir: path.join(tmpDir, 'no-frontend'),
      })
    } catch (error) {
      await database.close()
      throw error
    }
    defer('stop the server', () => running.stop())
    if (!running.url) throw new Error('the server did not start its API')
    const baseUrl = running.url.replace('localhost', '127.0.0.1')
    t = performance.now()
    await waitForIdleWorker(sql)
    note(`server up at ${baseUrl}, demo seed done in ${secondsSince(t).toFixed(1)} s`)
    const machine = await machineInfo(sql)
    note(describeMachine(machine))

    const [institution] = await sql<{ id: number }[]>`
      SELECT id FROM institutions WHERE name = ${demoInstitution('a').name}`
    if (!institution) throw new Error('the demo institution A is missing')
    const unitRows = await sql<{ id: number; institutional_id: string }[]>`
      SELECT id, institutional_id FROM units WHERE institution_id = ${institution.id}`
    // Any job of the institution satisfies the foreign key; the seed's plane job is the natural one.
    const [seedJob] = await sql<{ id: number }[]>`
      SELECT id FROM jobs WHERE institution_id = ${institution.id}
      ORDER BY (data_entry_type_id = ${dataEntryTypeId}) DESC, id LIMIT 1`
    if (!seedJob) throw new Error('the demo seed created no job')

    // 3. C: the baseline COPY, then its rows go and the table is compacted again.
    const scope: BaselineScope = {
      institutionId: institution.id,
      moduleTypeId,
      dataEntryTypeId,
      year,
      jobId: seedJob.id,
      unitsByInstitutionalId: new Map(unitRows.map((u) => [u.institutional_id, u.id])),
    }
    t = performance.now()
    let rendered: Awaited<ReturnType<typeof renderCopyLines>> | undefined = await renderCopyLines(
      csvFile,
      scope,
    )
    if (rendered.rows !== rows) throw new Error(`rendered ${rendered.rows} rows, expected ${rows}`)
    note(
      `C: rendered ${rendered.rows} COPY lines (${(rendered.bytes / 1e6).toFixed(1)} MB) in ` +
        `${secondsSince(t).toFixed(1)} s; loading`,
    )
    await sql`CHECKPOINT`
    cpu.start()
    defer('stop sampling the CPU', async () => cpu.stop())
    const copyStarted = performance.now()
    const copySeconds = await timeCopy(sql, rendered)
    const copyCores = cpu.busyCores(copyStarted, performance.now())
    rendered = undefined
    note(`C: COPY of ${rows} rows in ${copySeconds.toFixed(2)} s`)
    const baselinePrint = await fingerprint(sql, seedJob.id)
    await sql`DELETE FROM data_entries WHERE job_id = ${seedJob.id} AND source = 'csv'`
    await sql`VACUUM (FULL, ANALYZE) data_entries`
    await sql`CHECKPOINT`

    // 4. A and B over HTTP.
    const client = await signIn(baseUrl, manager.email, manager.password)
    note('A: uploading')
    const measured = await measureUpload(client, csvFile, {
      moduleTypeId,
      dataEntryTypeId,
      year,
      mode: 'replace',
    })
    note(
      `A: ingestion FINISHED after ${measured.ingestSeconds.toFixed(2)} s; ` +
        `B: pipeline SUCCESS after ${measured.pipelineSeconds.toFixed(2)} s`,
    )
    const ingestEnd = measured.startedAt + measured.ingestSeconds * 1000
    const busyCores = {
      copy: copyCores,
      ingest: cpu.busyCores(measured.startedAt, ingestEnd),
      pipelineAfterIngest: cpu.busyCores(
        ingestEnd,
        measured.startedAt + measured.pipelineSeconds * 1000,
      ),
    }
    const stored = measured.ingestJob.counts.rowsInserted
    if (stored !== rows) throw new Error(`the ingestion stored ${stored} rows, expected ${rows}`)

    const ingestPrint = await fingerprint(sql, measured.jobId)
    const baselineMatchesIngest = ingestPrint === baselinePrint
    if (!baselineMatchesIngest) note(`fingerprints differ: C ${baselinePrint}, A ${ingestPrint}`)

    // 5. Report.
    const rate = (seconds: number) => ({ seconds, rowsPerSecond: rows / seconds })
    const ingestToCopy = copySeconds / measured.ingestSeconds
    const pipelineToIngest = measured.pipelineSeconds / measured.ingestSeconds
    const result: IngestResult = {
      benchmark: 'ingest',
      date,
      startedAt: started.toISOString(),
      machine,
      load: { loadAverage, busyCores },
      input: { rows, bytes: csvBytes, file: path.basename(csvFile) },
      server: {
        bulkPathPureAsync: config.BULK_PATH_PURE_ASYNC,
        workerConcurrency: config.WORKER_CONCURRENCY,
        dbPoolMax: config.DB_POOL_MAX,
      },
      copy: rate(copySeconds),
      ingest: {
        ...rate(measured.ingestSeconds),
        uploadAcceptedSeconds: measured.acceptedSeconds,
        jobId: measured.jobId,
      },
      pipeline: { ...rate(measured.pipelineSeconds), pipelineId: measured.pipelineId },
      ratios: { ingestToCopy, pipelineToIngest },
      targets: {
        ingestToCopyMet: ingestToCopy >= ingestToCopyTarget,
        pipelineToIngestMet: pipelineToIngest <= pipelineToIngestTarget,
      },
      baselineMatchesIngest,
      milestones: measured.milestones,
    }
    printResult(result)
    const json = await writeResultJson('ingest', started, result)
    note(`results written to ${json}`)
    if (rows === fullRows) {
      await appendToBenchmarksDoc(markdownSection(result))
      note('results appended to docs/benchmarks.md')
    } else {
      note(`not recorded in docs/benchmarks.md: ${rows} rows is not the full-size run`)
    }
  })
}

export const benchmark: Benchmark = {
  name: 'ingest',
  description:
    '1,000,000-row plane CSV: upload to ingestion FINISHED and to pipeline SUCCESS vs raw COPY',
  run,
}
