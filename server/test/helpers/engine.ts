import { sql } from 'drizzle-orm'
import type { Config } from '../../src/config.ts'
import { testConfig } from '../../src/config.ts'
import { rows, type Database, type Db } from '../../src/db/client.ts'
import { readJobsById } from '../../src/db/queries/read-jobs.ts'
import type { JobRow } from '../../src/db/rows.ts'
import { createPipeline, type JobRequest } from '../../src/domain/pipeline/enqueue.ts'
import type { Tenant } from './fixtures.ts'

export function engineConfig(overrides: Parameters<typeof testConfig>[0] = {}): Config {
  return testConfig({
    HEARTBEAT_INTERVAL_MS: '100',
    STALE_AFTER_MS: '1000',
    POLL_INTERVAL_MS: '50',
    RECLAIM_INTERVAL_MS: '200',
    PROGRESS_INTERVAL_MS: '20',
    SHUTDOWN_GRACE_MS: '2000',
    ...overrides,
  })
}

export function aggregationRequest(moduleTypeId = 2, year = 2025): JobRequest {
  return {
    jobType: 'aggregation',
    moduleTypeId,
    dataEntryTypeId: null,
    year,
    targetType: 'data_entries',
    ingestionMethod: 'computed',
  }
}

export function recalcRequest(dataEntryTypeId = 20, moduleTypeId = 2, year = 2025): JobRequest {
  return {
    jobType: 'emission_recalc',
    moduleTypeId,
    dataEntryTypeId,
    year,
    targetType: 'data_entries',
    ingestionMethod: 'computed',
  }
}

export async function startPipeline(
  database: Database,
  tenant: Tenant,
  root: JobRequest,
  kind: 'data' | 'recalculation' = 'recalculation',
) {
  return database.db.transaction((tx) =>
    createPipeline(
      tx,
      {
        institutionId: tenant.institutionId,
        kind,
        moduleTypeId: root.moduleTypeId,
        dataEntryTypeId: root.dataEntryTypeId,
        year: root.year,
        createdBy: tenant.userIds.data_manager,
      },
      root,
    ),
  )
}

export async function job(db: Db, id: number): Promise<JobRow> {
  const [row] = await readJobsById(db, [id])
  if (!row) throw new Error(`no job ${id}`)
  return row
}

export async function jobsOfPipeline(db: Db, pipelineId: number): Promise<JobRow[]> {
  const ids = await rows<{ job_id: number }>(
    db,
    sql`SELECT job_id FROM pipeline_jobs WHERE pipeline_id = ${pipelineId} ORDER BY job_id`,
  )
  return readJobsById(
    db,
    ids.map((r) => r.job_id),
  )
}

export async function pipelineRow(db: Db, id: number) {
  const [row] = await rows<{
    status: string
    version: number
    progress: { phase: number; done: boolean }
  }>(db, sql`SELECT status, version, progress FROM pipelines WHERE id = ${id}`)
  return row!
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A promise with its resolve function, to hold a handler at a chosen point. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}
