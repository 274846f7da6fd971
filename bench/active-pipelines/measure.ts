import path from 'node:path'
import type { Config } from '@carbon-sync/server/src/config.ts'
import { openPostgres } from '@carbon-sync/server/src/db/client.ts'
import { createLogger } from '@carbon-sync/server/src/log.ts'
import { startProcess, type Running } from '@carbon-sync/server/src/server.ts'
import type { ApiClient } from '@carbon-sync/server/test/helpers/server.ts'
import { tmpDir } from '../lib/results.ts'
import { distribution, type Distribution } from '../lib/stats.ts'

/**
 * An API server in this process (role api: no worker, so that nothing but the requests
 * queries the database), whose statements are seen through openPostgres's `onQuery` hook, and
 * sequential requests to the active-pipelines endpoint timed from the client.
 */
export interface ApiServer {
  url: string
  running: Running
  /** Statements sent while `capture` is set. */
  capture: { text: string; params: unknown[] }[] | undefined
  stop(): Promise<void>
}

export async function startApiServer(config: Config, url: string): Promise<ApiServer> {
  const server: Partial<ApiServer> & { capture: ApiServer['capture'] } = { capture: undefined }
  const database = await openPostgres({
    url,
    poolMax: config.DB_POOL_MAX,
    applicationName: 'carbon-sync-api',
    onQuery: (text, params) => server.capture?.push({ text, params }),
  })
  let running: Running
  try {
    running = await startProcess(config, 'api', createLogger('silent'), {
      database,
      staticDir: path.join(tmpDir, 'no-frontend'),
    })
  } catch (error) {
    await database.close()
    throw error
  }
  server.running = running
  server.url = running.url!.replace('localhost', '127.0.0.1')
  server.stop = () => running.stop()
  return server as ApiServer
}

/** What the requests of a measure sent, from the hook: per request, by kind. */
export interface HookCounts {
  /** Statements per request (min and max over the requests). */
  perRequest: { min: number; max: number }
  /** Statements holding `unnest(` (the endpoint's query) per request, min and max. */
  activePipelinesPerRequest: { min: number; max: number }
  /** Other statements per request, by their first characters. */
  others: Record<string, number>
}

export interface LatencyMeasure {
  requests: number
  latencyMs: Distribution
  statements: HookCounts
  /** The endpoint's statement as sent (parameters as $n). */
  /** The endpoint's statement as sent, with its parameters. */
  query: { text: string; params: unknown[] } | undefined
}

export const isActivePipelinesStatement = (q: string) => q.includes('unnest(')

export function activePipelinesPath(year: number, modules: readonly number[]): string {
  return `/api/v1/sync/active-pipelines?year=${year}&modules=${modules.join(',')}`
}

async function request(client: ApiClient, route: string): Promise<void> {
  const res = await client.get(route)
  const body = await res.text()
  if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${body}`)
}

export async function measureLatency(
  server: ApiServer,
  client: ApiClient,
  route: string,
  warmup: number,
  requests: number,
): Promise<LatencyMeasure> {
  for (let i = 0; i < warmup; i++) await request(client, route)
  const latencies: number[] = []
  const counts: number[] = []
  const unnest: number[] = []
  const others = new Map<string, number>()
  let query: { text: string; params: unknown[] } | undefined
  for (let i = 0; i < requests; i++) {
    const captured: { text: string; params: unknown[] }[] = []
    server.capture = captured
    const from = performance.now()
    await request(client, route)
    latencies.push(performance.now() - from)
    server.capture = undefined
    counts.push(captured.length)
    unnest.push(captured.filter((q) => isActivePipelinesStatement(q.text)).length)
    query ??= captured.find((q) => isActivePipelinesStatement(q.text))
    for (const { text } of captured.filter((q) => !isActivePipelinesStatement(q.text))) {
      const shape = text.replace(/\s+/g, ' ').trim().slice(0, 60)
      others.set(shape, (others.get(shape) ?? 0) + 1)
    }
  }
  return {
    requests,
    latencyMs: distribution(latencies),
    statements: {
      perRequest: { min: Math.min(...counts), max: Math.max(...counts) },
      activePipelinesPerRequest: { min: Math.min(...unnest), max: Math.max(...unnest) },
      others: Object.fromEntries([...others].map(([k, n]) => [k, n / requests])),
    },
    query,
  }
}
