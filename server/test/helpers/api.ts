import type { Pipeline } from '@carbon-sync/shared'
import type { ApiClient } from './server.ts'

const terminal = new Set(['SUCCESS', 'PARTIAL', 'FAILED', 'CANCELLED'])

/** Polls a pipeline until it ends (its status is terminal and every job finished). */
export async function waitForPipeline(
  client: ApiClient,
  pipelineId: number,
  timeoutMs = 30_000,
): Promise<Pipeline> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { status, body } = await client.json<Pipeline>(
      'GET',
      `/api/v1/sync/pipelines/${pipelineId}`,
    )
    if (status !== 200) throw new Error(`pipeline ${pipelineId}: HTTP ${status}`)
    if (terminal.has(body.status) && body.progress.done) return body
    if (Date.now() > deadline)
      throw new Error(`pipeline ${pipelineId} still ${body.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Waits until no pipeline of the institution is pending or running (the demo seed, say).
 * Pending is asked first: a pipeline only moves forward (NOT_STARTED, RUNNING, terminal), so one
 * that was past NOT_STARTED at the first question and is not RUNNING at the second has ended.
 */
export async function waitForIdle(client: ApiClient, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const none = async (status: string) =>
    (
      await client.json<{ items: unknown[] }>(
        'GET',
        `/api/v1/sync/pipelines?status=${status}&limit=1`,
      )
    ).body.items.length === 0
  for (;;) {
    if ((await none('NOT_STARTED')) && (await none('RUNNING'))) return
    if (Date.now() > deadline) throw new Error('pipelines still running')
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface ReportModule {
  moduleTypeId: number
  totalKgCo2eq: number
  entryCount: number
  entriesWithoutEmission: number
  byDataEntryType: Record<string, number>
  byUnit: Record<string, number>
  computedAt: string
}

export async function moduleReport(
  client: ApiClient,
  year: number,
  moduleTypeId: number,
): Promise<ReportModule | undefined> {
  const { body } = await client.json<{ modules: ReportModule[] }>('GET', `/api/v1/reports/${year}`)
  return body.modules.find((m) => m.moduleTypeId === moduleTypeId)
}

/** Great-circle distance (haversine), written out here so that tests do not trust the code under test. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = (d: number) => (d * Math.PI) / 180
  const a =
    Math.sin(r(lat2 - lat1) / 2) ** 2 +
    Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lon2 - lon1) / 2) ** 2
  return 2 * 6371.0088 * Math.asin(Math.sqrt(a))
}
