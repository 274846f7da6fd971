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
} from '@carbon-sync/shared'
import { readCsv } from '@carbon-sync/shared'
import { apiUrl, http, send } from './http'

export type ActivePipelines = z.infer<typeof activePipelinesSchema>
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

/** The file name from a Content-Disposition header (`filename*` preferred, as RFC 6266 says). */
export function fileNameOfDisposition(header: string | null): string | null {
  if (!header) return null
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header)
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1])
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename="([^"]*)"/i.exec(header)
  return plain?.[1] ?? null
}

/**
 * The original name of an uploaded file. The API has no metadata route for uploads yet, so this
 * asks for the file's headers only (HEAD) and reads its Content-Disposition.
 */
export async function fetchUploadFileName(uploadId: number): Promise<string | null> {
  const response = await send(`/sync/uploads/${uploadId}/file`, { method: 'HEAD' })
  return fileNameOfDisposition(response.headers.get('Content-Disposition'))
}

/** A failed row of an ingestion, for the row errors table. */
export interface RowErrorView {
  /** Line in the uploaded file, when the API says it. */
  row: number | null
  column: string | null
  code: string
  message: string
}

async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    // Stopping after the first rows must not download the rest of a large file.
    await reader.cancel().catch(() => undefined)
  }
}

/**
 * The first failed rows of a job, read from its errors.csv (the job JSON does not carry them):
 * the last three columns are error_column, error_code, error_message. The file has no row
 * numbers, so `row` is null.
 */
export async function fetchFirstRowErrors(jobId: number, limit = 100): Promise<RowErrorView[]> {
  const response = await send(`/sync/jobs/${jobId}/errors.csv`)
  if (!response.body) return []
  const rows: RowErrorView[] = []
  let header = true
  for await (const batch of readCsv(bodyChunks(response.body))) {
    for (const record of batch) {
      if (header) {
        header = false
        continue
      }
      const n = record.cells.length
      rows.push({
        row: null,
        column: record.cells[n - 3] || null,
        code: record.cells[n - 2] ?? '',
        message: record.cells[n - 1] ?? '',
      })
      if (rows.length >= limit) return rows
    }
  }
  return rows
}
