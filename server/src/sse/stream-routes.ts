import { Router, type Request, type Response } from 'express'
import { createSession } from 'better-sse'
import { pipelineIdsOfJob } from '../db/queries/snapshots.ts'
import { jobSnapshot, pipelineSnapshot } from '../domain/pipeline/views.ts'
import type { AppContext } from '../http/context.ts'
import { authenticate, scopeOf } from '../http/middleware/authenticate.ts'
import { methodNotAllowed } from '../http/middleware/errors.ts'
import { pathId } from '../http/validate.ts'
import { isTerminal, type SessionState, type StreamHub, type StreamKind } from './stream-hub.ts'

/**
 * A change goes to a thousand viewers as the same view object (one per distinct viewer, see
 * the hub's `publish`): it is turned into text once, not once per session. JSON has no raw
 * newline, so that text needs no sanitizing either.
 */
const serialized = new WeakMap<object, string>()
function serializeOnce(data: unknown): string {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data)
  let text = serialized.get(data)
  if (text === undefined) serialized.set(data, (text = JSON.stringify(data)))
  return text
}
const sanitizeJson = (text: string): string => text

/** `Last-Event-ID` (or `?lastEventId=`): the version the client already has. */
function lastEventId(req: Request): number | undefined {
  const raw = req.headers['last-event-id'] ?? req.query['lastEventId']
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) return undefined
  return Number(raw)
}

/**
 * The two streams (SPEC §7). The route authenticates (cookie, bearer, or `?token=` since
 * EventSource cannot send headers), checks the scope by reading the snapshot (403/404 as JSON,
 * never a stream), then opens the session and hands it to the hub.
 */
export function streamRoutes(ctx: AppContext, hub: StreamHub): Router {
  const router = Router()
  const db = ctx.database.db
  const open = (req: Request, res: Response) => {
    // The API's no-store would otherwise win over the stream's own header.
    res.removeHeader('Cache-Control')
    return createSession<SessionState>(req, res, {
      retry: 3000,
      keepAlive: ctx.config.SSE_KEEPALIVE_MS,
      trustClientEventId: false,
      serializer: serializeOnce,
      sanitizer: sanitizeJson,
      headers: { 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' },
      state: {
        version: -1,
        ready: false,
        close: () => res.end(),
        viewer: { unitId: scopeOf(res).unitId },
      },
    })
  }

  /**
   * A client resuming a stream that has ended and that already has its last version gets
   * 204, which tells EventSource to stop reconnecting (instead of the same `end` again).
   */
  const alreadyEnded = (
    kind: StreamKind,
    snapshot: { version: number },
    last: number | undefined,
    res: Response,
  ) => {
    if (last === undefined || last < snapshot.version || !isTerminal(kind, snapshot as never))
      return false
    res.status(204).end()
    return true
  }

  /**
   * A client may leave while the route still awaits the database. The session, created after,
   * would then never see the `close` event it listens for and would stay registered (with its
   * keep-alive timer and its watch) for ever: a stream whose client left is not opened.
   */
  const closedEarly = (res: Response) => {
    let closed = false
    res.once('close', () => (closed = true))
    return () => closed || res.destroyed
  }

  router
    .route('/sync/pipelines/:id/stream')
    .get(authenticate(ctx, { allowQueryToken: true }), async (req: Request, res: Response) => {
      const gone = closedEarly(res)
      const id = pathId(req, 'pipeline id')
      const snapshot = await pipelineSnapshot(db, scopeOf(res), id)
      const last = lastEventId(req)
      if (gone() || alreadyEnded('pipeline', snapshot, last, res)) return
      const session = await open(req, res)
      if (gone()) return
      await hub.attach('pipeline', id, session, snapshot, last)
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/jobs/:id/stream')
    .get(authenticate(ctx, { allowQueryToken: true }), async (req: Request, res: Response) => {
      const gone = closedEarly(res)
      const id = pathId(req, 'job id')
      const snapshot = await jobSnapshot(db, scopeOf(res), id)
      const last = lastEventId(req)
      if (gone() || alreadyEnded('job', snapshot, last, res)) return
      const pipelineIds = await pipelineIdsOfJob(db, id)
      if (gone()) return
      const session = await open(req, res)
      if (gone()) return
      await hub.attach('job', id, session, snapshot, last, pipelineIds)
    })
    .all(methodNotAllowed(['GET']))
  return router
}
