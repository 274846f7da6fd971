import { sql } from 'drizzle-orm'
import { intArray, rows, type Db } from '../client.ts'
import { toJobRow, type JobRow } from '../rows.ts'
import { toPipelineRow, type PipelineRow } from '../rows.ts'

/**
 * Engine-side reads for the stream watcher, which serves many institutions: it only reads
 * pipelines and jobs that a viewer was allowed to open, checked when the stream opened.
 */
export async function pipelinesWithJobs(
  db: Db,
  ids: readonly number[],
): Promise<{ pipeline: PipelineRow; jobs: JobRow[] }[]> {
  if (ids.length === 0) return []
  const [pipelines, jobs] = await Promise.all([
    rows<Record<string, unknown>>(
      db,
      sql`SELECT p.id, p.institution_id, p.kind, p.module_type_id, p.data_entry_type_id, p.year, p.status,
                 p.version, p.progress, p.cancel_requested_at, u.display_name AS created_by, p.created_at, p.finished_at
          FROM pipelines p LEFT JOIN users u ON u.id = p.created_by AND u.institution_id = p.institution_id
          WHERE p.id = ANY(${intArray(ids)})`,
    ),
    rows<Record<string, unknown>>(
      db,
      sql`SELECT pj.pipeline_id AS member_of, j.* FROM pipeline_jobs pj JOIN jobs j ON j.id = pj.job_id
          WHERE pj.pipeline_id = ANY(${intArray(ids)}) ORDER BY j.id`,
    ),
  ])
  return pipelines.map((p) => {
    const pipeline = toPipelineRow(p)
    return { pipeline, jobs: jobs.filter((j) => j['member_of'] === pipeline.id).map(toJobRow) }
  })
}

export async function versionsOf(
  db: Db,
  table: 'pipelines' | 'jobs',
  ids: readonly number[],
): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map()
  const found = await rows<{ id: number; version: number }>(
    db,
    sql`SELECT id, version FROM ${sql.identifier(table)} WHERE id = ANY(${intArray(ids)})`,
  )
  return new Map(found.map((r) => [r.id, r.version]))
}

/** Pipelines a job belongs to (its own and those that joined it). */
export async function pipelineIdsOfJob(db: Db, jobId: number): Promise<number[]> {
  const found = await rows<{ pipeline_id: number }>(
    db,
    sql`SELECT pipeline_id FROM pipeline_jobs WHERE job_id = ${jobId}`,
  )
  return found.map((r) => r.pipeline_id)
}
