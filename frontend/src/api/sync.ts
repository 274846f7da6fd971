import type { z } from 'zod'
import type {
  activePipelinesSchema,
  DryRunReport,
  Job,
  JobEvent,
  Pipeline,
  PipelineStatus,
  UploadKind,
  UploadMode,
  uploadSchema,
} from '@carbon-sync/shared'
import { apiUrl, http } from './http'

export type ActivePipelines = z.infer<typeof activePipelinesSchema>
export type Upload = z.infer<typeof uploadSchema>
/** A pipeline as the list endpoint returns it: without its jobs. */
export type PipelineListItem = Omit<Pipeline, 'jobs'>

export interface PipelinePage {
  items: PipelineListItem[]
  nextCursor: string | null
}

export interface PipelineFilter {
  year?: number | null
  moduleTypeId?: number | null
  status?: PipelineStatus | null
  cursor?: string | null
  limit?: number
}

export interface UploadAccepted {
  pipelineId: number
  jobId: number
  uploadId: number
}

export interface UploadRequest {
  file: File
  kind: UploadKind
  moduleTypeId: number
  dataEntryTypeId: number
  year: number
  mode: UploadMode
  unitId: number | null
}

export const staleReasons = [
  'no_aggregation_ever',
  'last_aggregation_failed',
  'last_aggregation_too_old',
  'pending_aggregation_stuck',
] as const
export type StaleReason = (typeof staleReasons)[number]

/** One module whose statistics are stale (`GET /api/v1/sync/health/stale-stats`). */
export interface StaleStatsItem {
  moduleTypeId: number
  year: number
  whyStale: StaleReason
  lastFinishedAggregationAt: string | null
  lastAggregationJobId: number | null
}

export const fetchActivePipelines = (year: number, modules: readonly number[]) =>
  http.get<ActivePipelines>('/sync/active-pipelines', { year, modules: modules.join(',') })

export const fetchPipelines = (filter: PipelineFilter) =>
  http.get<PipelinePage>('/sync/pipelines', {
    year: filter.year,
    moduleTypeId: filter.moduleTypeId,
    status: filter.status,
    cursor: filter.cursor,
    limit: filter.limit,
  })

export const fetchPipeline = (id: number) => http.get<Pipeline>(`/sync/pipelines/${id}`)
export const fetchJob = (id: number) => http.get<Job>(`/sync/jobs/${id}`)
export const fetchJobEvents = (id: number) =>
  http.get<{ events: JobEvent[] }>(`/sync/jobs/${id}/events`).then((r) => r.events)

export const cancelPipeline = (id: number) => http.post<Pipeline>(`/sync/pipelines/${id}/cancel`)
export const recoverJob = (id: number) =>
  http.post<{ jobId: number; job: Job }>(`/sync/jobs/${id}/recover`)

export const recalculate = (body: {
  year: number
  moduleTypeId: number
  dataEntryTypeId?: number
}) =>
  http.post<{ pipelineId: number; jobIds: number[]; pipeline: Pipeline }>('/sync/recalculate', body)

export const fetchStaleStats = (olderThanMinutes: number) =>
  http.get<{ items: StaleStatsItem[] }>('/sync/health/stale-stats', {
    older_than_minutes: olderThanMinutes,
  })

function uploadForm(upload: UploadRequest, dryRun: boolean): FormData {
  const form = new FormData()
  form.append('kind', upload.kind)
  form.append('moduleTypeId', String(upload.moduleTypeId))
  form.append('dataEntryTypeId', String(upload.dataEntryTypeId))
  form.append('year', String(upload.year))
  form.append('mode', upload.mode)
  if (upload.unitId !== null) form.append('unitId', String(upload.unitId))
  if (dryRun) form.append('dryRun', 'true')
  // Fields first: the server may validate them before reading the whole file.
  form.append('file', upload.file, upload.file.name)
  return form
}

/** Validates the file and computes its impact; stores nothing. */
export const dryRunUpload = (upload: UploadRequest) =>
  http
    .post<{ report: DryRunReport }>('/sync/uploads', uploadForm(upload, true))
    .then((r) => r.report)

/** Stores the file and starts its pipeline (202). */
export const submitUpload = (upload: UploadRequest) =>
  http.post<UploadAccepted>('/sync/uploads', uploadForm(upload, false))

export const uploadFileUrl = (uploadId: number) => apiUrl(`/sync/uploads/${uploadId}/file`)
export const jobErrorsCsvUrl = (jobId: number) => apiUrl(`/sync/jobs/${jobId}/errors.csv`)
/** The entries a job stored without emission, with the reason beside each (row warnings). */
export const jobWarningsCsvUrl = (jobId: number) => apiUrl(`/sync/jobs/${jobId}/warnings.csv`)

/** What was uploaded, when and by whom. */
export const fetchUpload = (uploadId: number) => http.get<Upload>(`/sync/uploads/${uploadId}`)

/** A failed row of an ingestion, for the row errors table. */
export interface RowErrorView {
  /** Line in the uploaded file, when the API says it. */
  row: number | null
  column: string | null
  code: string
  message: string
}
