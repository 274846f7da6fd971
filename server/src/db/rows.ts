import type { PipelineProgress, PipelineStatus } from '@carbon-sync/shared'
import type { JobMeta } from './schema/jobs.ts'
import type { jobs } from './schema/jobs.ts'

export type JobRow = typeof jobs.$inferSelect

/** Maps a raw `jobs.*` row (snake_case, from a hand-written statement) to drizzle's shape. */
export function toJobRow(r: Record<string, unknown>): JobRow {
  return {
    id: r['id'] as number,
    pipelineId: r['pipeline_id'] as number,
    parentJobId: (r['parent_job_id'] as number | null) ?? null,
    retryOf: (r['retry_of'] as number | null) ?? null,
    jobType: r['job_type'] as JobRow['jobType'],
    institutionId: r['institution_id'] as number,
    moduleTypeId: r['module_type_id'] as number,
    dataEntryTypeId: (r['data_entry_type_id'] as number | null) ?? null,
    year: r['year'] as number,
    targetType: r['target_type'] as JobRow['targetType'],
    ingestionMethod: r['ingestion_method'] as JobRow['ingestionMethod'],
    uploadId: (r['upload_id'] as number | null) ?? null,
    state: r['state'] as JobRow['state'],
    result: (r['result'] as JobRow['result']) ?? null,
    statusMessage: (r['status_message'] as string | null) ?? null,
    meta: (typeof r['meta'] === 'string' ? JSON.parse(r['meta']) : r['meta']) as JobMeta,
    attempts: r['attempts'] as number,
    maxAttempts: r['max_attempts'] as number,
    version: r['version'] as number,
    runAfter: r['run_after'] as string,
    lockedBy: (r['locked_by'] as string | null) ?? null,
    lockedAt: (r['locked_at'] as string | null) ?? null,
    heartbeatAt: (r['heartbeat_at'] as string | null) ?? null,
    cancelRequestedAt: (r['cancel_requested_at'] as string | null) ?? null,
    isCurrent: r['is_current'] as boolean,
    createdBy: (r['created_by'] as number | null) ?? null,
    createdAt: r['created_at'] as string,
    startedAt: (r['started_at'] as string | null) ?? null,
    finishedAt: (r['finished_at'] as string | null) ?? null,
    updatedAt: r['updated_at'] as string,
  }
}

/** PostgreSQL's text timestamps ("2026-11-22 05:01:25.123456+00") as ISO 8601. */
export function isoTime(value: string): string
export function isoTime(value: string | null): string | null
export function isoTime(value: string | null): string | null {
  if (value === null) return null
  const d = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))
  return Number.isNaN(d.getTime()) ? value : d.toISOString()
}

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
