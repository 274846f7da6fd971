import type { Router } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authRoutes } from '../../src/http/routes/auth.ts'
import { catalogRoutes } from '../../src/http/routes/catalog.ts'
import { healthRoutes } from '../../src/http/routes/health.ts'
import { jobRoutes } from '../../src/http/routes/jobs.ts'
import { pipelineRoutes } from '../../src/http/routes/pipelines.ts'
import { uploadRoutes } from '../../src/http/routes/uploads.ts'
import { endpoints } from '../../src/http/openapi.ts'
import { createLogger } from '../../src/log.ts'
import { Metrics } from '../../src/metrics.ts'
import { streamRoutes } from '../../src/sse/stream-routes.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/** The OpenAPI document lists every route the app serves, and nothing else. */
let s: TestServer

beforeAll(async () => {
  s = await startTestServer({ SEED_DEMO: 'false' }, 'api')
})
afterAll(() => s.stop())

/** `METHOD path` of every route of an express router. */
function routesOf(router: Router, prefix: string): string[] {
  const out: string[] = []
  for (const layer of router.stack as unknown as {
    route?: { path: string; methods: Record<string, boolean> }
  }[]) {
    if (!layer.route) continue
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`)
    }
  }
  return out
}

describe('GET /api/v1/openapi.json', () => {
  it('documents every route the app registers', async () => {
    const ctx = {
      database: s.t.database,
      config: s.config,
      log: createLogger('silent'),
      metrics: new Metrics(false),
    }
    const registered = [
      ...routesOf(
        healthRoutes({
          ...ctx,
          metrics: new (await import('../../src/metrics.ts')).Metrics(false),
        }),
        '',
      ),
      'GET /api/v1/openapi.json',
      ...[authRoutes, uploadRoutes, jobRoutes, pipelineRoutes, catalogRoutes].flatMap((f) =>
        routesOf(f(ctx), '/api/v1'),
      ),
      ...routesOf(streamRoutes(ctx, s.running.hub!), '/api/v1'),
    ]
    const documented = endpoints.map((e) => `${e.method.toUpperCase()} ${e.path}`)
    expect([...documented].sort()).toEqual([...registered].sort())
  })

  it('is valid OpenAPI 3.0 with the schemas and stream events it refers to', async () => {
    const res = await fetch(`${s.url}/api/v1/openapi.json`)
    expect(res.status).toBe(200)
    const doc = (await res.json()) as {
      openapi: string
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<
              string,
              { content?: Record<string, { 'x-sse-events'?: Record<string, { $ref: string }> }> }
            >
          }
        >
      >
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
    }
    expect(doc.openapi).toBe('3.0.3')
    const refs = [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map(
      (m) => m[1]!,
    )
    for (const name of refs) expect(doc.components.schemas[name], name).toBeDefined()
    const stream =
      doc.paths['/api/v1/sync/pipelines/{id}/stream']!['get']!.responses['200']!.content![
        'text/event-stream'
      ]!
    expect(Object.keys(stream['x-sse-events']!)).toEqual(['snapshot', 'update', 'end'])
    // How a stream is resumed and authenticated without headers is documented too.
    const params = (
      doc.paths['/api/v1/sync/pipelines/{id}/stream']!['get'] as unknown as {
        parameters: { name: string; in: string }[]
      }
    ).parameters.map((p) => `${p.in}:${p.name}`)
    expect(params).toEqual(
      expect.arrayContaining([
        'path:id',
        'query:token',
        'query:lastEventId',
        'header:Last-Event-ID',
      ]),
    )
    expect(doc.components.schemas['Pipeline']!.properties).toHaveProperty('version')
    expect(doc.components.schemas['Job']!.properties).toHaveProperty('counts')
  })
})
