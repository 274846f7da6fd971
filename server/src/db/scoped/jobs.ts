import { sql } from 'drizzle-orm'
import type { Scope } from '../../domain/auth/scope.ts'
import { rows, type Db } from '../client.ts'
import { toJobRow, type JobRow } from '../rows.ts'

/** A job of the caller's institution, or undefined. */
export async function findJob(db: Db, scope: Scope, id: number): Promise<JobRow | undefined> {
  const [row] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT * FROM jobs WHERE id = ${id} AND institution_id = ${scope.institutionId}`,
  )
  return row ? toJobRow(row) : undefined
}

/** The same, locking the row for the rest of the transaction. */
export async function lockJob(tx: Db, scope: Scope, id: number): Promise<JobRow | undefined> {
  const [row] = await rows<Record<string, unknown>>(
    tx,
    sql`SELECT * FROM jobs WHERE id = ${id} AND institution_id = ${scope.institutionId} FOR NO KEY UPDATE`,
  )
  return row ? toJobRow(row) : undefined
}

/** Jobs of one of the caller's pipelines (own and joined), oldest first. */
export async function jobsOfPipeline(db: Db, scope: Scope, pipelineId: number): Promise<JobRow[]> {
  const found = await rows<Record<string, unknown>>(
    db,
    sql`
      SELECT j.* FROM pipeline_jobs pj
      JOIN pipelines p ON p.id = pj.pipeline_id
      JOIN jobs j ON j.id = pj.job_id
      WHERE pj.pipeline_id = ${pipelineId} AND p.institution_id = ${scope.institutionId}
        AND j.institution_id = ${scope.institutionId}
      ORDER BY j.id
    `,
  )
  return found.map(toJobRow)
}

/** Locks the unfinished jobs of one of the caller's pipelines, in id order. */
export async function lockUnfinishedJobsOfPipeline(
  tx: Db,
  scope: Scope,
  pipelineId: number,
): Promise<JobRow[]> {
  const found = await rows<Record<string, unknown>>(
    tx,
    sql`
      SELECT j.* FROM jobs j
      WHERE j.institution_id = ${scope.institutionId} AND j.state <> 'FINISHED'
        AND j.id IN (SELECT job_id FROM pipeline_jobs WHERE pipeline_id = ${pipelineId})
      ORDER BY j.id
      FOR NO KEY UPDATE
    `,
  )
  return found.map(toJobRow)
}

export interface JobEventRow {
  id: number
  job_id: number
  pipeline_id: number
  state: string
  result: string | null
  pod: string | null
  message: string | null
  at: string
}

/** The history of one of the caller's jobs, oldest first. */
export async function jobEvents(db: Db, scope: Scope, jobId: number): Promise<JobEventRow[]> {
  return rows<JobEventRow>(
    db,
    sql`SELECT id::int AS id, job_id, pipeline_id, state, result, pod, message, at FROM job_events
        WHERE job_id = ${jobId} AND institution_id = ${scope.institutionId}
        ORDER BY id`,
  )
}

/** Events of all jobs of one of the caller's pipelines, oldest first. */
export async function pipelineEvents(
  db: Db,
  scope: Scope,
  pipelineId: number,
): Promise<JobEventRow[]> {
  return rows<JobEventRow>(
    db,
    sql`SELECT e.id::int AS id, e.job_id, e.pipeline_id, e.state, e.result, e.pod, e.message, e.at
        FROM job_events e
        WHERE e.institution_id = ${scope.institutionId}
          AND e.job_id IN (SELECT job_id FROM pipeline_jobs WHERE pipeline_id = ${pipelineId})
        ORDER BY e.id`,
  )
}

export interface RowErrorRow {
  id: number
  row_number: number
  column_name: string | null
  code: string
  message: string
  cells: string[]
}

/** Where a page of row errors starts: after this row and id (rows may share a line number). */
export interface RowErrorCursor {
  row: number
  id: number
}

/**
 * Row errors (skipped rows) or row warnings (rows stored with a reservation) of one of the
 * caller's jobs, a page at a time in file order.
 */
export async function jobRowErrors(
  db: Db,
  scope: Scope,
  jobId: number,
  severity: 'error' | 'warning',
  after: RowErrorCursor,
  limit: number,
): Promise<RowErrorRow[]> {
  return rows<RowErrorRow>(
    db,
    sql`SELECT id::int AS id, row_number, column_name, code, message, cells FROM job_row_errors
        WHERE job_id = ${jobId} AND institution_id = ${scope.institutionId} AND severity = ${severity}
          AND (row_number, id) > (${after.row}, ${after.id})
        ORDER BY row_number, id
        LIMIT ${limit}`,
  )
}
