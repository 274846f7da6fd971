import type { Config, Env } from '../../src/config.ts'
import { testConfig } from '../../src/config.ts'
import { createLogger } from '../../src/log.ts'
import { startProcess, type Running } from '../../src/server.ts'
import { openTestDatabase, type TestDatabase } from './database.ts'

/**
 * A real server on port 0 with the worker, over a test database of its own (PostgreSQL or
 * in-memory PGlite), optionally seeded with the demo data.
 */
export interface TestServer {
  url: string
  config: Config
  running: Running
  t: TestDatabase
  client(): ApiClient
  /** A client signed in as a demo user (password carbon-sync-demo). */
  signIn(email: string): Promise<ApiClient>
  stop(): Promise<void>
}

export async function startTestServer(
  overrides: Partial<Record<keyof Env, string>> = {},
  role: 'all' | 'api' = 'all',
  options: { onQuery?: (query: string) => void } = {},
): Promise<TestServer> {
  const t = await openTestDatabase({ onQuery: options.onQuery })
  const config = testConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO: 'true',
    // The fixtures of the suite are files of 2025: the demo data must not move with the clock.
    DEMO_DATA_YEAR: '2025',
    HEARTBEAT_INTERVAL_MS: '200',
    STALE_AFTER_MS: '2000',
    POLL_INTERVAL_MS: '100',
    RECLAIM_INTERVAL_MS: '500',
    PROGRESS_INTERVAL_MS: '50',
    SHUTDOWN_GRACE_MS: '1000',
    ...overrides,
  })
  const running = await startProcess(
    config,
    role,
    createLogger(process.env['TEST_LOG'] === '1' ? 'debug' : 'silent'),
    {
      database: t.database,
      staticDir: '/nonexistent',
    },
  )
  const url = running.url!.replace('localhost', '127.0.0.1')
  const server: TestServer = {
    url,
    config,
    running,
    t,
    client: () => new ApiClient(url),
    async signIn(email) {
      const c = new ApiClient(url)
      const res = await c.post('/api/v1/auth/login', { email, password: 'carbon-sync-demo' })
      if (res.status !== 200)
        throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`)
      return c
    },
    async stop() {
      await running.stop()
      await t.close()
    },
  }
  return server
}

/** fetch with a cookie jar of one cookie and the CSRF header the SPA sends. */
export class ApiClient {
  cookie: string | undefined
  bearer: string | undefined
  csrf = true
  constructor(readonly baseUrl: string) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra }
    if (this.cookie) h['cookie'] = this.cookie
    if (this.bearer) h['authorization'] = `Bearer ${this.bearer}`
    if (this.csrf) h['x-requested-with'] = 'carbon-sync'
    return h
  }

  async request(
    method: string,
    path: string,
    init: { body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const res = await fetch(this.baseUrl + path, {
      method,
      body: init.body,
      headers: this.headers(init.headers),
      redirect: 'manual',
    })
    const set = res.headers.get('set-cookie')
    if (set) {
      const value = set.split(';')[0]!
      this.cookie = value.endsWith('=') ? undefined : value
    }
    return res
  }

  get(path: string) {
    return this.request('GET', path)
  }

  post(path: string, body?: unknown) {
    return this.request('POST', path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })
  }

  async json<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res =
      method === 'GET'
        ? await this.get(path)
        : method === 'POST'
          ? await this.post(path, body)
          : await this.request(method, path)
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T }
  }

  /** Multipart upload of a CSV text or bytes. */
  async upload(
    fields: Record<string, string | number>,
    file: string | Uint8Array,
    fileName = 'upload.csv',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whichever shape the status implies
  ): Promise<{ status: number; body: any }> {
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.set(k, String(v))
    form.set('file', new Blob([file]), fileName)
    const res = await this.request('POST', '/api/v1/sync/uploads', { body: form })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
}
