import { Router } from 'express'
import client from 'prom-client'
import { appliedMigrationCount, shippedMigrationCount } from '../../db/client.ts'
import { jobCountsByState, ping } from '../../db/queries/job-counts.ts'
import { ServiceUnavailable } from '../../domain/errors.ts'
import type { AppContext } from '../context.ts'
import { methodNotAllowed } from '../middleware/errors.ts'

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** /healthz (the process is up), /readyz (database reachable, migrations applied), /metrics. */
export function healthRoutes(ctx: AppContext): Router {
  const router = Router()
  const shipped = shippedMigrationCount()

  const jobs = new client.Gauge({
    name: 'carbon_sync_jobs',
    help: 'Jobs in the database by type, state and result',
    labelNames: ['job_type', 'state', 'result'] as const,
    registers: [ctx.metrics.registry],
    async collect() {
      this.reset()
      try {
        for (const r of await withTimeout(jobCountsByState(ctx.database.db), 2000)) {
          this.set({ job_type: r.job_type, state: r.state, result: r.result ?? '' }, r.n)
        }
      } catch {
        // An unreachable database leaves the gauge empty; /readyz reports the outage.
      }
    },
  })
  void jobs
  new client.Gauge({
    name: 'carbon_sync_db_pool_connections',
    help: 'Database connections of this process, open and in use',
    labelNames: ['state'] as const,
    registers: [ctx.metrics.registry],
    collect() {
      const stats = ctx.database.poolStats()
      this.set({ state: 'open' }, stats.open)
      this.set({ state: 'busy' }, stats.busy)
    },
  })

  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' })
    })
    .all(methodNotAllowed(['GET']))

  // Not ready: 503 with the error shape of the API, the reason in the message.
  router
    .route('/readyz')
    .get(async (_req, res) => {
      let applied: number
      try {
        await withTimeout(ping(ctx.database.db), 2000)
        applied = await withTimeout(appliedMigrationCount(ctx.database.db), 2000)
      } catch (error) {
        throw new ServiceUnavailable(`database unreachable: ${(error as Error).message}`, {
          database: ctx.database.engine,
        })
      }
      if (applied < shipped)
        throw new ServiceUnavailable(`${applied} of ${shipped} migrations applied`, {
          database: ctx.database.engine,
          migrationsApplied: applied,
          migrationsShipped: shipped,
        })
      res.json({ status: 'ready', database: ctx.database.engine })
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/metrics')
    .get(async (_req, res) => {
      res.setHeader('Content-Type', ctx.metrics.registry.contentType)
      res.send(await ctx.metrics.registry.metrics())
    })
    .all(methodNotAllowed(['GET']))
  return router
}
