import { sql } from 'drizzle-orm'
import type { PipelineProgress, PipelineStatus } from '@carbon-sync/shared'
import type { Scope } from '../../domain/auth/scope.ts'
import { rows, type Db } from '../client.ts'

export interface PipelineRow {
  id: number
  institutionId: number
  kind: 'data' | 'factors' | 'reference' | 'recalculation' | 'seed'
  moduleTypeId: number
  dataEntryTypeId: number | null
  year: number
  status: PipelineStatus
  version: number
  progress: PipelineProgress
  cancelRequestedAt: string | null
  createdBy: string | null
  createdAt: string
  finishedAt: string | null
}

const selectPipeline = sql`
  SELECT p.id, p.institution_id, p.kind, p.module_type_id, p.data_entry_type_id, p.year, p.status,
         p.version, p.progress, p.cancel_requested_at, u.display_name AS created_by, p.created_at, p.finished_at
  FROM pipelines p LEFT JOIN users u ON u.id = p.created_by AND u.institution_id = p.institution_id
`

export function toPipelineRow(r: Record<string, unknown>): PipelineRow {
  return {
    id: r['id'] as number,
    institutionId: r['institution_id'] as number,
    kind: r['kind'] as PipelineRow['kind'],
    moduleTypeId: r['module_type_id'] as number,
    dataEntryTypeId: (r['data_entry_type_id'] as number | null) ?? null,
    year: r['year'] as number,
    status: r['status'] as PipelineStatus,
    version: r['version'] as number,
    progress: r['progress'] as PipelineProgress,
    cancelRequestedAt: (r['cancel_requested_at'] as string | null) ?? null,
    createdBy: (r['created_by'] as string | null) ?? null,
    createdAt: r['created_at'] as string,
    finishedAt: (r['finished_at'] as string | null) ?? null,
  }
}

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
