import { z } from 'zod'
import {
  activePipelinesQuerySchema,
  activePipelinesSchema,
  apiTokenListSchema,
  apiTokenSchema,
  catalogSchema,
  createTokenBodySchema,
  dryRunReportSchema,
  errorBodySchema,
  jobEventsSchema,
  jobSchema,
  loginBodySchema,
  meSchema,
  pipelineListQuerySchema,
  pipelineListSchema,
  pipelineSchema,
  pipelineSummarySchema,
  readinessSchema,
  healthSchema,
  streamQuerySchema,
  recalculateBodySchema,
  recalculateResponseSchema,
  recoverResponseSchema,
  reportSchema,
  staleStatsQuerySchema,
  staleStatsSchema,
  unitsSchema,
  uploadAcceptedSchema,
  uploadFieldsSchema,
  uploadSchema,
  yearModulesSchema,
  yearsSchema,
} from '@carbon-sync/shared'

/**
 * The OpenAPI document of the API (`GET /api/v1/openapi.json`), generated from the same zod
 * schemas the server validates with and the SPA types against. Every route is listed in
 * `endpoints`; a test compares that list with the routes the app registers.
 */
const named = {
  Error: errorBodySchema,
  Me: meSchema,
  LoginBody: loginBodySchema,
  CreateTokenBody: createTokenBodySchema,
  ApiToken: apiTokenSchema,
  ApiTokenList: apiTokenListSchema,
  UploadFields: uploadFieldsSchema,
  UploadAccepted: uploadAcceptedSchema,
  Upload: uploadSchema,
  DryRun: dryRunReportSchema,
  Job: jobSchema,
  JobEvents: jobEventsSchema,
  Pipeline: pipelineSchema,
  PipelineSummary: pipelineSummarySchema,
  PipelineList: pipelineListSchema,
  ActivePipelines: activePipelinesSchema,
  RecalculateBody: recalculateBodySchema,
  Recalculation: recalculateResponseSchema,
  Recovery: recoverResponseSchema,
  StaleStats: staleStatsSchema,
  Catalog: catalogSchema,
  Units: unitsSchema,
  Years: yearsSchema,
  YearModules: yearModulesSchema,
  Report: reportSchema,
  Readiness: readinessSchema,
  Health: healthSchema,
} as const
type SchemaName = keyof typeof named

type Response = SchemaName | 'csv' | 'events' | 'empty' | 'text' | 'json'

export interface Endpoint {
  method: 'get' | 'post' | 'delete'
  /** Express path, `:id` style. */
  path: string
  summary: string
  /** Permission needed; 'public' for none, 'signed-in' for any signed-in user. */
  access:
    | 'public'
    | 'signed-in'
    | 'data_management.view'
    | 'data_management.edit'
    | 'data_management.admin'
  query?: z.ZodObject
  body?: SchemaName | 'multipart'
  /** Success status and what it returns. */
  ok: [number, Response]
  /** For streams: the event names and the payload each carries. */
  events?: Record<string, SchemaName>
  /** Other documented statuses. */
  errors?: number[]
}

const view = 'data_management.view' as const
const edit = 'data_management.edit' as const
const admin = 'data_management.admin' as const

export const endpoints: readonly Endpoint[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'The process is up',
    access: 'public',
    ok: [200, 'Health'],
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'The database is reachable and migrated',
    access: 'public',
    ok: [200, 'Readiness'],
    errors: [503],
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    access: 'public',
    ok: [200, 'text'],
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    access: 'public',
    ok: [200, 'json'],
  },
  {
    method: 'post',
    path: '/api/v1/auth/login',
    summary: 'Sign in; sets the session cookie',
    access: 'public',
    body: 'LoginBody',
    ok: [200, 'Me'],
    errors: [400, 401],
  },
  {
    method: 'post',
    path: '/api/v1/auth/logout',
    summary: 'Sign out',
    access: 'signed-in',
    ok: [204, 'empty'],
  },
  {
    method: 'get',
    path: '/api/v1/auth/me',
    summary: 'Who is signed in',
    access: 'signed-in',
    ok: [200, 'Me'],
  },
  {
    method: 'get',
    path: '/api/v1/auth/tokens',
    summary: "The caller's API tokens",
    access: 'signed-in',
    ok: [200, 'ApiTokenList'],
  },
  {
    method: 'post',
    path: '/api/v1/auth/tokens',
    summary: 'Create an API token (shown once)',
    access: 'signed-in',
    body: 'CreateTokenBody',
    ok: [201, 'ApiToken'],
  },
  {
    method: 'delete',
    path: '/api/v1/auth/tokens/:id',
    summary: 'Revoke an API token',
    access: 'signed-in',
    ok: [204, 'empty'],
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/v1/sync/uploads',
    summary:
      'Upload a CSV file (multipart: file plus the fields of UploadFields); dryRun=true validates only',
    access: edit,
    body: 'multipart',
    ok: [202, 'UploadAccepted'],
    errors: [200, 400, 413, 415, 422],
  },
  {
    method: 'get',
    path: '/api/v1/sync/uploads/:id',
    summary: 'What was uploaded, when and by whom',
    access: view,
    ok: [200, 'Upload'],
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/uploads/:id/file',
    summary: 'The file as uploaded',
    access: view,
    ok: [200, 'csv'],
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/jobs/:id',
    summary: 'A job',
    access: view,
    ok: [200, 'Job'],
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/jobs/:id/events',
    summary: 'The history of a job',
    access: view,
    ok: [200, 'JobEvents'],
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/jobs/:id/errors.csv',
    summary: 'Failed rows, ready to fix and upload again',
    access: view,
    ok: [200, 'csv'],
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/jobs/:id/warnings.csv',
    summary: 'Rows stored without emission (unknown location, missing factor), with the reason',
    access: view,
    ok: [200, 'csv'],
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/api/v1/sync/jobs/:id/recover',
    summary: 'Retry a failed or stuck job',
    access: admin,
    ok: [202, 'Recovery'],
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/api/v1/sync/jobs/:id/stream',
    summary: 'Live updates of a job (SSE; ?token= for scripts)',
    access: view,
    query: streamQuerySchema,
    ok: [200, 'events'],
    events: { snapshot: 'Job', update: 'Job', end: 'Job' },
    errors: [204, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/pipelines',
    summary: 'Pipelines, newest first',
    access: view,
    query: pipelineListQuerySchema,
    ok: [200, 'PipelineList'],
  },
  {
    method: 'get',
    path: '/api/v1/sync/pipelines/:id',
    summary: 'A pipeline with its jobs',
    access: view,
    ok: [200, 'Pipeline'],
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/api/v1/sync/pipelines/:id/cancel',
    summary: 'Cancel a pipeline',
    access: admin,
    ok: [202, 'Pipeline'],
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/api/v1/sync/pipelines/:id/stream',
    summary: 'Live updates of a pipeline (SSE; ?token= for scripts)',
    access: view,
    query: streamQuerySchema,
    ok: [200, 'events'],
    events: { snapshot: 'Pipeline', update: 'Pipeline', end: 'Pipeline' },
    errors: [204, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/sync/active-pipelines',
    summary: 'Running and last pipeline per module, for a year',
    access: view,
    query: activePipelinesQuerySchema,
    ok: [200, 'ActivePipelines'],
    errors: [400],
  },
  {
    method: 'post',
    path: '/api/v1/sync/recalculate',
    summary: 'Recalculate a module or a data-entry type',
    access: edit,
    body: 'RecalculateBody',
    ok: [202, 'Recalculation'],
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/v1/sync/health/stale-stats',
    summary: 'Statistics that are stale, and why',
    access: admin,
    query: staleStatsQuerySchema,
    ok: [200, 'StaleStats'],
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/v1/catalog',
    summary: 'Modules, data-entry types and their columns',
    access: view,
    ok: [200, 'Catalog'],
  },
  {
    method: 'get',
    path: '/api/v1/catalog/templates/:file',
    summary: 'The template of a data-entry type, e.g. plane.csv',
    access: view,
    ok: [200, 'csv'],
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/v1/units',
    summary: "The caller's units",
    access: view,
    ok: [200, 'Units'],
  },
  {
    method: 'get',
    path: '/api/v1/years',
    summary: 'Years worth offering',
    access: view,
    ok: [200, 'Years'],
  },
  {
    method: 'get',
    path: '/api/v1/years/:year/modules',
    summary: 'Status of each module for a year',
    access: view,
    ok: [200, 'YearModules'],
  },
  {
    method: 'get',
    path: '/api/v1/reports/:year',
    summary: 'Statistics of a year',
    access: view,
    ok: [200, 'Report'],
  },
]

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` })
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
})
const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'Invalid request',
  401: 'Not signed in',
  403: 'Not allowed (permission_denied), or another institution (forbidden)',
  404: 'No such id',
  409: 'Conflict with the current state',
  413: 'File too large',
  415: 'Not multipart/form-data',
  422: 'The file cannot be read',
  503: 'Database unreachable',
}

function content(response: Response, events?: Record<string, SchemaName>) {
  switch (response) {
    case 'empty':
      return undefined
    case 'text':
      return { 'text/plain': { schema: { type: 'string' } } }
    case 'csv':
      return { 'text/csv': { schema: { type: 'string' } } }
    case 'json':
      return { 'application/json': { schema: { type: 'object' } } }
    case 'events':
      return {
        'text/event-stream': {
          schema: {
            type: 'string',
            description:
              'Server-sent events. `retry: 3000` first; `snapshot` first, `update` on each change, `end` when terminal (then the server closes); each event id is the version; a comment every 15 s. Last-Event-ID resumes.',
          },
          'x-sse-events': Object.fromEntries(
            Object.entries(events ?? {}).map(([k, v]) => [k, ref(v)]),
          ),
        },
      }
    default:
      return { 'application/json': { schema: ref(response) } }
  }
}

function parameters(e: Endpoint) {
  const params = [...e.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: m[1] === 'file' ? { type: 'string' } : { type: 'integer' },
  }))
  if (e.query) {
    const shape = z.toJSONSchema(e.query, {
      target: 'openapi-3.0',
      io: 'input',
      unrepresentable: 'any',
    }) as {
      properties?: Record<string, unknown>
      required?: string[]
    }
    for (const [name, schema] of Object.entries(shape.properties ?? {})) {
      params.push({
        name,
        in: 'query',
        required: shape.required?.includes(name) ?? false,
        schema: schema as { type: string },
      })
    }
  }
  if (e.ok[1] === 'events')
    params.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      schema: { type: 'integer' },
    })
  return params
}

let cached: unknown

export function openApiDocument(): unknown {
  if (cached) return cached
  const schemas = Object.fromEntries(
    Object.entries(named).map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, {
        target: 'openapi-3.0',
        io: name.endsWith('Body') || name === 'UploadFields' ? 'input' : 'output',
        unrepresentable: 'any',
      }),
    ]),
  )
  const paths: Record<string, Record<string, unknown>> = {}
  for (const e of endpoints) {
    const path = e.path.replace(/:(\w+)/g, '{$1}')
    const responses: Record<string, unknown> = {
      [String(e.ok[0])]: {
        description: statusText[e.ok[0]] ?? 'OK',
        ...(content(e.ok[1], e.events) ? { content: content(e.ok[1], e.events) } : {}),
      },
    }
    for (const status of e.errors ?? []) {
      if (status === 200 && e.body === 'multipart')
        responses['200'] = { description: 'Dry run report', content: content('DryRun') }
      else if (status === 204)
        responses['204'] = {
          description: 'The stream has ended and the client has its last version',
        }
      else responses[String(status)] = errorResponse(statusText[status] ?? 'Error')
    }
    if (e.access !== 'public') responses['401'] ??= errorResponse(statusText[401]!)
    if (e.access.startsWith('data_management')) responses['403'] ??= errorResponse(statusText[403]!)
    paths[path] ??= {}
    paths[path]![e.method] = {
      summary: e.summary,
      ...(e.access === 'public' ? { security: [] } : {}),
      ...(e.access.startsWith('data_management') ? { 'x-permission': e.access } : {}),
      parameters: parameters(e),
      ...(e.body === 'multipart'
        ? {
            requestBody: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: {
                    allOf: [
                      ref('UploadFields'),
                      {
                        type: 'object',
                        required: ['file'],
                        properties: { file: { type: 'string', format: 'binary' } },
                      },
                    ],
                  },
                },
              },
            },
          }
        : e.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: ref(e.body) } },
              },
            }
          : {}),
      responses,
    }
  }
  cached = {
    openapi: '3.0.3',
    info: {
      title: 'Carbon Sync API',
      version: '1',
      description:
        'Back office of a carbon-footprint calculator. Errors are { error: { code, message, details } }. Cookie-authenticated mutations must send X-Requested-With: carbon-sync.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'carbon_sync_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas,
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  }
  return cached
}
