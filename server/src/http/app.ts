import fs from 'node:fs'
import path from 'node:path'
import express, { type Express } from 'express'
import type { AppContext } from './context.ts'
import { authenticate, csrfGuard } from './middleware/authenticate.ts'
import { errorHandler, notFound } from './middleware/errors.ts'
import { authRoutes } from './routes/auth.ts'
import { catalogRoutes } from './routes/catalog.ts'
import { healthRoutes } from './routes/health.ts'
import { jobRoutes } from './routes/jobs.ts'
import { pipelineRoutes } from './routes/pipelines.ts'
import { uploadRoutes } from './routes/uploads.ts'
import { openApiDocument } from './openapi.ts'

/**
 * The HTTP application: /healthz, /readyz, /metrics, the JSON API under /api/v1 (every
 * route behind authentication but sign-in), and the SPA. Routes are thin: they parse, call the
 * domain with the caller's scope, and render; errors go to one handler.
 */
export function createApp(ctx: AppContext, extra: { beforeAuth?: express.Router[] } = {}): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'same-origin')
    res.setHeader('X-Frame-Options', 'DENY')
    next()
  })
  app.use(healthRoutes(ctx))

  const api = express.Router()
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store')
    next()
  })
  api.use(express.json({ limit: '1mb' }))
  api.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument())
  })
  for (const router of extra.beforeAuth ?? []) api.use(router)
  api.use(authRoutes(ctx))
  api.use(authenticate(ctx), csrfGuard)
  api.use(uploadRoutes(ctx))
  api.use(jobRoutes(ctx))
  api.use(pipelineRoutes(ctx))
  api.use(catalogRoutes(ctx))
  api.use(notFound)
  app.use('/api/v1', api)
  app.use('/api', notFound)

  if (ctx.staticDir && fs.existsSync(path.join(ctx.staticDir, 'index.html'))) {
    const index = path.join(ctx.staticDir, 'index.html')
    app.use(express.static(ctx.staticDir, { index: false, maxAge: '1h' }))
    // Client-side routes: any other GET that accepts HTML gets the SPA.
    app.get(/.*/, (req, res, next) => (req.accepts('html') ? res.sendFile(index) : next()))
  }
  app.use(notFound)
  app.use(errorHandler(ctx.log))
  return app
}

/**
 * What a worker process serves: /healthz, /readyz and /metrics only, on METRICS_PORT, so that
 * its job counters, durations and claim latency can be scraped like the API's.
 */
export function createOpsApp(ctx: AppContext): Express {
  const app = express()
  app.disable('x-powered-by')
  app.use(healthRoutes(ctx))
  app.use(notFound)
  app.use(errorHandler(ctx.log))
  return app
}
