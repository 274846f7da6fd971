import { Router, type Request, type Response } from 'express'
import {
  activePipelinesQuerySchema,
  pipelineListQuerySchema,
  recalculateBodySchema,
  staleStatsQuerySchema,
} from '@carbon-sync/shared'
import { staleStatistics } from '../../db/scoped/health.ts'
import { activePipelines, listPipelines } from '../../db/scoped/pipelines.ts'
import { isoTime } from '../../db/rows.ts'
import { ValidationFailed } from '../../domain/errors.ts'
import { cancelPipeline } from '../../domain/pipeline/cancel-pipeline.ts'
import { recalculate } from '../../domain/pipeline/recalculate.ts'
import { pipelineSnapshot, pipelineView } from '../../domain/pipeline/views.ts'
import type { AppContext } from '../context.ts'
import { requirePermission, scopeOf } from '../middleware/authenticate.ts'
import { methodNotAllowed } from '../middleware/errors.ts'
import { parse, pathId } from '../validate.ts'

const maxModules = 50

/** `?modules=1,2,3`: at most 50 positive integers, or 400. */
export function parseModuleList(raw: string): number[] {
  if (raw.trim() === '') return []
  const parts = raw.split(',').map((p) => p.trim())
  if (parts.length > maxModules)
    throw new ValidationFailed(`At most ${maxModules} modules per request, got ${parts.length}`, {
      field: 'modules',
    })
  return parts.map((p) => {
    if (!/^\d{1,9}$/.test(p) || Number(p) === 0)
      throw new ValidationFailed(`"${p}" is not a module id`, { field: 'modules' })
    return Number(p)
  })
}

const encodeCursor = (id: number) => Buffer.from(`p:${id}`).toString('base64url')
function decodeCursor(cursor: string): number {
  const m = /^p:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!m || Number(m[1]) > 2_147_483_647)
    throw new ValidationFailed('Invalid cursor', { field: 'cursor' })
  return Number(m[1])
}

export function pipelineRoutes(ctx: AppContext): Router {
  const router = Router()
  const db = ctx.database.db

  router
    .route('/sync/pipelines')
    .get(async (req: Request, res: Response) => {
      const q = parse(pipelineListQuerySchema, req.query, 'query')
      const found = await listPipelines(db, scopeOf(res), {
        year: q.year,
        moduleTypeId: q.moduleTypeId,
        status: q.status,
        dataEntryTypeId: q.dataEntryTypeId,
        kind: q.kind,
        beforeId: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit + 1,
      })
      const page = found.slice(0, q.limit)
      res.json({
        items: page.map((p) => {
          const { jobs: _jobs, ...rest } = pipelineView(p, [])
          return rest
        }),
        nextCursor: found.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null,
      })
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/pipelines/:id')
    .get(async (req: Request, res: Response) => {
      const id = pathId(req, 'pipeline id')
      res.json(await pipelineSnapshot(db, scopeOf(res), id))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/pipelines/:id/cancel')
    .post(requirePermission('data_management.admin'), async (req: Request, res: Response) => {
      const scope = scopeOf(res)
      const id = pathId(req, 'pipeline id')
      await cancelPipeline(ctx.database, scope, id)
      res.status(202).json(await pipelineSnapshot(db, scope, id))
    })
    .all(methodNotAllowed(['POST']))

  router
    .route('/sync/active-pipelines')
    .get(async (req: Request, res: Response) => {
      const q = parse(activePipelinesQuerySchema, req.query, 'query')
      const modules = parseModuleList(q.modules)
      const found = await activePipelines(db, scopeOf(res), q.year, modules)
      res.json({
        modules: Object.fromEntries(
          found.map((r) => [String(r.module_type_id), { active: r.active, last: r.last }]),
        ),
      })
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/recalculate')
    .post(requirePermission('data_management.edit'), async (req: Request, res: Response) => {
      const body = parse(recalculateBodySchema, req.body, 'recalculation')
      const scope = scopeOf(res)
      const { pipelineId, jobIds } = await recalculate(ctx.database, scope, body)
      res
        .status(202)
        .json({ pipelineId, jobIds, pipeline: await pipelineSnapshot(db, scope, pipelineId) })
    })
    .all(methodNotAllowed(['POST']))
  router
    .route('/sync/health/stale-stats')
    .get(requirePermission('data_management.admin'), async (req: Request, res: Response) => {
      const q = parse(staleStatsQuerySchema, req.query, 'query')
      const found = await staleStatistics(db, scopeOf(res), q.older_than_minutes)
      res.json({
        items: found.map((r) => ({
          moduleTypeId: r.module_type_id,
          year: r.year,
          whyStale: r.why,
          lastFinishedAggregationAt: isoTime(r.last_finished_at),
          lastAggregationJobId: r.last_job_id,
        })),
      })
    })
    .all(methodNotAllowed(['GET']))
  return router
}
