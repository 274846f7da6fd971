import { Router, type Request, type Response } from 'express'
import { findJob, jobEvents } from '../../db/scoped/jobs.ts'
import { found } from '../../domain/access.ts'
import { errorsCsv } from '../../domain/ingestion/errors-csv.ts'
import { recoverJob } from '../../domain/pipeline/recover-job.ts'
import { jobEventView, jobSnapshot } from '../../domain/pipeline/views.ts'
import type { AppContext } from '../context.ts'
import { requirePermission, scopeOf } from '../middleware/authenticate.ts'
import { methodNotAllowed } from '../middleware/errors.ts'
import { pathId } from '../validate.ts'
import { contentDisposition } from './uploads.ts'

export function jobRoutes(ctx: AppContext): Router {
  const router = Router()
  const db = ctx.database.db
  const jobId = (req: Request) => pathId(req, 'job id')

  router
    .route('/sync/jobs/:id')
    .get(async (req: Request, res: Response) => {
      res.json(await jobSnapshot(db, scopeOf(res), jobId(req)))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/jobs/:id/events')
    .get(async (req: Request, res: Response) => {
      const scope = scopeOf(res)
      const id = jobId(req)
      await found(db, scope, 'jobs', id, await findJob(db, scope, id))
      res.json({ events: (await jobEvents(db, scope, id)).map(jobEventView) })
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/jobs/:id/errors.csv')
    .get(async (req: Request, res: Response) => {
      const id = jobId(req)
      const lines = await errorsCsv(db, scopeOf(res), id)
      res.setHeader('Content-Type', 'text/csv; charset=utf-8')
      res.setHeader('Content-Disposition', contentDisposition(`job-${id}-errors.csv`))
      for await (const text of lines) {
        if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve))
      }
      res.end()
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/jobs/:id/recover')
    .post(requirePermission('data_management.admin'), async (req: Request, res: Response) => {
      const scope = scopeOf(res)
      const retry = await recoverJob(ctx.database, ctx.config, scope, jobId(req))
      res.status(202).json({ ...retry, job: await jobSnapshot(db, scope, retry.jobId) })
    })
    .all(methodNotAllowed(['POST']))
  return router
}
