import { sql } from 'drizzle-orm'
import type { PipelineProgress, PipelineStatus } from '@carbon-sync/shared'
import type { Scope } from '../../domain/auth/scope.ts'
import { intArray, rows, type Db } from '../client.ts'
import { toPipelineRow, type PipelineRow } from '../rows.ts'

export type { PipelineRow }

const selectPipeline = sql`
  SELECT p.id, p.institution_id, p.kind, p.module_type_id, p.data_entry_type_id, p.year, p.status,
         p.version, p.progress, p.cancel_requested_at, u.display_name AS created_by, p.created_at, p.finished_at
  FROM pipelines p LEFT JOIN users u ON u.id = p.created_by AND u.institution_id = p.institution_id
`

/** A pipeline of the caller's institution, or undefined. */
export async function findPipeline(
  db: Db,
  scope: Scope,
  id: number,
): Promise<PipelineRow | undefined> {
  const [row] = await rows<Record<string, unknown>>(
    db,
    sql`${selectPipeline} WHERE p.id = ${id} AND p.institution_id = ${scope.institutionId}`,
  )
  return row ? toPipelineRow(row) : undefined
}

export interface PipelineFilter {
  year?: number
  moduleTypeId?: number
  status?: PipelineStatus
  dataEntryTypeId?: number
  kind?: PipelineRow['kind']
  /** Only pipelines with a smaller id (the cursor). */
  beforeId?: number
  limit: number
}

/** The caller's pipelines, newest first. */
export async function listPipelines(
  db: Db,
  scope: Scope,
  f: PipelineFilter,
): Promise<PipelineRow[]> {
  const found = await rows<Record<string, unknown>>(
    db,
    sql`${selectPipeline}
        WHERE p.institution_id = ${scope.institutionId}
          ${f.year === undefined ? sql`` : sql`AND p.year = ${f.year}`}
          ${f.moduleTypeId === undefined ? sql`` : sql`AND p.module_type_id = ${f.moduleTypeId}`}
          ${f.status === undefined ? sql`` : sql`AND p.status = ${f.status}`}
          ${f.dataEntryTypeId === undefined ? sql`` : sql`AND p.data_entry_type_id = ${f.dataEntryTypeId}`}
          ${f.kind === undefined ? sql`` : sql`AND p.kind = ${f.kind}`}
          ${f.beforeId === undefined ? sql`` : sql`AND p.id < ${f.beforeId}`}
        ORDER BY p.id DESC
        LIMIT ${f.limit}`,
  )
  return found.map(toPipelineRow)
}

export interface SummaryRow {
  pipelineId: number
  status: PipelineStatus
  version: number
  progress: PipelineProgress
}

/**
 * For each module of a year, the caller's running pipeline and the last ended one, in one
 * statement whatever the number of modules (SPEC §6). Each module costs two index probes
 * (`pipelines_active_idx` for the running one, `pipelines_scope_idx` backwards for the last
 * ended one), so the answer does not slow down as the history of ended pipelines grows.
 */
export async function activePipelines(
  db: Db,
  scope: Scope,
  year: number,
  moduleTypeIds: readonly number[],
): Promise<{ module_type_id: number; active: SummaryRow | null; last: SummaryRow | null }[]> {
  if (moduleTypeIds.length === 0) return []
  const summary = sql`json_build_object('pipelineId', p.id, 'status', p.status, 'version', p.version, 'progress', p.progress)`
  const ofModule = sql`p.institution_id = ${scope.institutionId} AND p.module_type_id = m.module_type_id AND p.year = ${year}`
  return rows(
    db,
    sql`
      SELECT m.module_type_id,
             (SELECT ${summary} FROM pipelines p
              WHERE ${ofModule} AND p.status IN ('NOT_STARTED', 'RUNNING')
              ORDER BY p.id DESC LIMIT 1) AS active,
             (SELECT ${summary} FROM pipelines p
              WHERE ${ofModule} AND p.status NOT IN ('NOT_STARTED', 'RUNNING')
              ORDER BY p.id DESC LIMIT 1) AS last
      FROM (SELECT DISTINCT unnest(${intArray(moduleTypeIds)}) AS module_type_id) m
      ORDER BY m.module_type_id`,
  )
}
