import { request, type APIRequestContext } from '@playwright/test'
import { demoPassword } from './state.ts'

/**
 * The API as a script would use it, to arrange what a test needs (an upload that runs for a
 * while, a failed pipeline) and to check the outcome beside what the browser shows. A session
 * cookie plus the CSRF header on mutations (SPEC §2). The types are the test's own, written
 * from SPEC §6.1, not imported from the code under test.
 */

export type PipelineStatus =
  'NOT_STARTED' | 'RUNNING' | 'SUCCESS' | 'PARTIAL' | 'FAILED' | 'CANCELLED'

export interface Job {
  id: number
  pipelineId: number
  parentJobId: number | null
  retryOf: number | null
  jobType: string
  state: 'NOT_STARTED' | 'QUEUED' | 'RUNNING' | 'FINISHED'
  result: 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED' | null
  statusMessage: string | null
  counts: {
    rowsTotal: number
    rowsInserted: number
    rowsFailed: number
    rowsWithoutEmission: number
  }
  /** The first row warnings: entries stored without emission (SPEC §4). */
  firstWarnings?: { row: number; column: string | null; code: string; message: string }[]
  uploadId?: number | null
}

export interface Pipeline {
  id: number
  kind: string
  status: PipelineStatus
  version: number
  moduleTypeId: number
  dataEntryTypeId: number | null
  year: number
  progress: {
    phase: number
    done: boolean
    hasError: boolean
    processed: number
    total: number | null
  }
  jobs: Job[]
}

export interface ReportModule {
  moduleTypeId: number
  totalKgCo2eq: number
  entryCount: number
  byDataEntryType: Record<string, number>
}

export interface UploadRequest {
  moduleTypeId: number
  dataEntryTypeId: number
  year: number
  fileName: string
  content: string
  mode?: 'replace' | 'append'
  dryRun?: boolean
}

const terminal: readonly PipelineStatus[] = ['SUCCESS', 'PARTIAL', 'FAILED', 'CANCELLED']

export function isTerminal(status: PipelineStatus): boolean {
  return terminal.includes(status)
}

export class Api {
  private constructor(
    private readonly http: APIRequestContext,
    readonly email: string,
  ) {}

  static async signIn(baseURL: string, email: string): Promise<Api> {
    const http = await request.newContext({
      baseURL,
      extraHTTPHeaders: { 'X-Requested-With': 'carbon-sync', Accept: 'application/json' },
    })
    const res = await http.post('/api/v1/auth/login', { data: { email, password: demoPassword } })
    if (!res.ok()) throw new Error(`sign-in of ${email}: HTTP ${res.status()} ${await res.text()}`)
    return new Api(http, email)
  }

  async get<T>(path: string): Promise<T> {
    const res = await this.http.get(path)
    if (!res.ok())
      throw new Error(`GET ${path} as ${this.email}: HTTP ${res.status()} ${await res.text()}`)
    return (await res.json()) as T
  }

  async status(path: string): Promise<number> {
    return (await this.http.get(path)).status()
  }

  async post<T>(path: string, data: unknown = {}): Promise<T> {
    const res = await this.http.post(path, { data })
    if (!res.ok())
      throw new Error(`POST ${path} as ${this.email}: HTTP ${res.status()} ${await res.text()}`)
    return (await res.json()) as T
  }

  /** `POST /sync/uploads`: 202 `{pipelineId, jobId, uploadId}` (or the dry run's report). */
  async upload(u: UploadRequest): Promise<{ pipelineId: number; jobId: number; uploadId: number }> {
    const res = await this.http.post('/api/v1/sync/uploads', {
      multipart: {
        kind: 'data',
        moduleTypeId: String(u.moduleTypeId),
        dataEntryTypeId: String(u.dataEntryTypeId),
        year: String(u.year),
        mode: u.mode ?? 'replace',
        ...(u.dryRun ? { dryRun: 'true' } : {}),
        file: { name: u.fileName, mimeType: 'text/csv', buffer: Buffer.from(u.content) },
      },
    })
    if (res.status() !== 202)
      throw new Error(`upload of ${u.fileName}: HTTP ${res.status()} ${await res.text()}`)
    return (await res.json()) as { pipelineId: number; jobId: number; uploadId: number }
  }

  pipeline(id: number): Promise<Pipeline> {
    return this.get<Pipeline>(`/api/v1/sync/pipelines/${id}`)
  }

  /** Polls a pipeline until `done` says so (terminal status and every job finished, by default). */
  async waitForPipeline(
    id: number,
    options: { timeoutMs?: number; done?: (p: Pipeline) => boolean } = {},
  ): Promise<Pipeline> {
    const timeoutMs = options.timeoutMs ?? 60_000
    const done = options.done ?? ((p: Pipeline) => isTerminal(p.status) && p.progress.done)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const p = await this.pipeline(id)
      if (done(p)) return p
      if (Date.now() > deadline)
        throw new Error(
          `pipeline ${id} still ${p.status} (phase ${p.progress.phase}) after ${timeoutMs} ms`,
        )
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async moduleReport(year: number, moduleTypeId: number): Promise<ReportModule | undefined> {
    const report = await this.get<{ modules: ReportModule[] }>(`/api/v1/reports/${year}`)
    return report.modules.find((m) => m.moduleTypeId === moduleTypeId)
  }

  async dispose(): Promise<void> {
    await this.http.dispose()
  }
}
