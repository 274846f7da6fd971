import type { Server } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from './config.ts'
import { openPglite, openPostgres, runMigrations, type Database } from './db/client.ts'
import { jobHandlers } from './domain/handlers.ts'
import { seedDemo, type SeedSummary } from './domain/seed/seed-demo.ts'
import type { Express } from 'express'
import { createApp, createOpsApp } from './http/app.ts'
import { StreamHub } from './sse/stream-hub.ts'
import { streamRoutes } from './sse/stream-routes.ts'
import type { Logger } from './log.ts'
import { Metrics } from './metrics.ts'
import { Worker } from './worker/runner.ts'

/**
 * Starts a process in one of three roles: `all` (API and worker, the default and the only
 * role on PGlite), `api`, or `worker`. Returns a stop function for graceful shutdown.
 */
export type Role = 'all' | 'api' | 'worker'

export interface Running {
  database: Database
  server: Server | undefined
  worker: Worker | undefined
  hub: StreamHub | undefined
  url: string | undefined
  /** A worker's /healthz, /readyz and /metrics (METRICS_PORT). */
  opsUrl: string | undefined
  seed: SeedSummary | undefined
  stop(): Promise<void>
}

export const defaultStaticDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../frontend/dist',
)

export async function openDatabase(config: Config, role: Role): Promise<Database> {
  if (config.DATABASE_URL) {
    return openPostgres({
      url: config.DATABASE_URL,
      poolMax: config.DB_POOL_MAX,
      applicationName: `carbon-sync-${role}`,
    })
  }
  if (role !== 'all') {
    throw new Error(
      `The embedded database (PGlite) serves one process, which runs the API and the worker together: use "pnpm start", or set DATABASE_URL to run "${role}" processes apart on PostgreSQL.`,
    )
  }
  return openPglite({ dataDir: config.DATA_DIR })
}

export async function startProcess(
  config: Config,
  role: Role,
  log: Logger,
  options: { staticDir?: string; metrics?: Metrics; database?: Database } = {},
): Promise<Running> {
  const database = options.database ?? (await openDatabase(config, role))
  const metrics = options.metrics ?? new Metrics()
  try {
    await runMigrations(database, config.DATABASE_URL)
  } catch (error) {
    await database.close()
    throw error
  }
  let seed: SeedSummary | undefined
  if (role !== 'worker' && config.SEED_DEMO) seed = await seedDemo(database, config, log)

  let worker: Worker | undefined
  if (role !== 'api') {
    worker = new Worker({ database, config, log, metrics, handlers: jobHandlers })
    await worker.start()
  }
  let server: Server | undefined
  let url: string | undefined
  let hub: StreamHub | undefined
  let opsUrl: string | undefined
  if (role === 'worker') {
    const ctx = { database, config, log, metrics }
    server = await listen(createOpsApp(ctx), config.METRICS_PORT, config.HOST).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error
        log.warn(
          `port ${config.METRICS_PORT} is in use: this worker serves no /metrics; set METRICS_PORT (0: any free port)`,
        )
        return undefined
      },
    )
    if (server) opsUrl = `http://localhost:${portOf(server, config.METRICS_PORT)}`
  } else {
    hub = new StreamHub(database, config, log)
    await hub.start()
    metrics.watchStreams(hub)
    const ctx = { database, config, log, metrics, staticDir: options.staticDir ?? defaultStaticDir }
    const app = createApp(ctx, { beforeAuth: [streamRoutes(ctx, hub)] })
    server = await listen(app, config.PORT, config.HOST)
    url = `http://localhost:${portOf(server, config.PORT)}`
  }

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      const closed = server
        ? new Promise<void>((resolve) => server!.close(() => resolve()))
        : Promise.resolve()
      server?.closeIdleConnections()
      await hub?.stop()
      await worker?.stop()
      // Streams and keep-alive connections would hold close() open: end them after the grace.
      const force = setTimeout(() => server?.closeAllConnections(), 2000)
      await closed
      clearTimeout(force)
      await database.close()
    })())
  return { database, server, worker, hub, url, opsUrl, seed, stop }
}

function listen(app: Express, port: number, host: string | undefined): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    // Express 5 calls the callback with the error when listening fails.
    const s = app.listen(port, host ?? '::', (error?: Error) =>
      error ? reject(error) : resolve(s),
    )
  })
}

function portOf(server: Server, fallback: number): number {
  const address = server.address()
  return typeof address === 'object' && address ? address.port : fallback
}
