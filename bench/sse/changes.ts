import type { Sql } from 'postgres'
import type { Database, Db } from '@carbon-sync/server/src/db/client.ts'
import { refreshPipelinesOfJobs } from '@carbon-sync/server/src/domain/pipeline/refresh-pipelines.ts'
import { sleep } from '../lib/benchmark.ts'

/**
 * A change to a watched pipeline, made the way a worker's progress writer makes it: in one
 * transaction, the job's meta.progress is updated (as write_job_progress does, without its
 * ownership condition: the job is QUEUED, not claimed) and the pipeline re-derived, which bumps
 * its version and NOTIFYs the stream watchers on commit.
 */
export interface Committed {
  version: number
  /** performance.now() right after COMMIT returned. */
  committedAt: number
}

async function rawRows<T>(db: Db, text: string): Promise<T[]> {
  const result = (await db.execute(text)) as unknown
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

export async function commitChange(
  database: Database,
  pipelineId: number,
  jobId: number,
  processed: number,
): Promise<Committed> {
  // Integers only are inlined: the statement text is built from numbers we made.
  const progress = JSON.stringify({ phase: 2, processed: Math.trunc(processed), total: 1000 })
  const version = await database.db.transaction(async (tx) => {
    await rawRows(
      tx,
      `UPDATE jobs SET meta = jsonb_set(meta, '{progress}', '${progress}'::jsonb),
              version = version + 1, updated_at = now()
       WHERE id = ${Math.trunc(jobId)} RETURNING id`,
    )
    await refreshPipelinesOfJobs(tx, [jobId])
    const [row] = await rawRows<{ version: number }>(
      tx,
      `SELECT version FROM pipelines WHERE id = ${Math.trunc(pipelineId)}`,
    )
    return row!.version
  })
  return { version, committedAt: performance.now() }
}

/** Database connections of the API process, from pg_stat_activity. */
export interface ConnectionSample {
  total: number
  /** Not idle: running a statement or inside a transaction. */
  busy: number
}

export async function apiConnections(sql: Sql): Promise<ConnectionSample> {
  const [row] = await sql<ConnectionSample[]>`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE state <> 'idle')::int AS busy
    FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = 'carbon-sync-api'`
  return row!
}

/** Samples apiConnections every `intervalMs` until stopped; returns the samples. */
export function sampleConnections(
  sql: Sql,
  intervalMs = 50,
): { stop(): Promise<ConnectionSample[]> } {
  const samples: ConnectionSample[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      samples.push(await apiConnections(sql))
      await sleep(intervalMs)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return samples
    },
  }
}
