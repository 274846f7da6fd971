import { Router, type Request, type Response } from 'express'
import { findJob, jobEvents } from '../../db/scoped/jobs.ts'
import { found } from '../../domain/access.ts'
import { errorsCsv, warningsCsv } from '../../domain/ingestion/errors-csv.ts'
import { recoverJob } from '../../domain/pipeline/recover-job.ts'
import { jobEventView, jobSnapshot } from '../../domain/pipeline/views.ts'
import type { AppContext } from '../context.ts'
import { requirePermission, scopeOf } from '../middleware/authenticate.ts'
import { methodNotAllowed } from '../middleware/errors.ts'
import { pathId } from '../validate.ts'
import { contentDisposition } from './uploads.ts'

/** Streams CSV text as a download, waiting for the client whenever its buffer is full. */
async function sendCsv(res: Response, name: string, lines: AsyncIterable<string>): Promise<void> {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8')
  res.setHeader('Content-Disposition', contentDisposition(name))
  for await (const text of lines) {
    if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve))
  }
  res.end()
}

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
      await sendCsv(res, `job-${id}-errors.csv`, await errorsCsv(db, scopeOf(res), id))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/jobs/:id/warnings.csv')
    .get(async (req: Request, res: Response) => {
      const id = jobId(req)
      await sendCsv(res, `job-${id}-warnings.csv`, await warningsCsv(db, scopeOf(res), id))
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
