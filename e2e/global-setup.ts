import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import postgres from 'postgres'
import {
  demoPassword,
  repoDir,
  serverLogFile,
  tmpDir,
  removeState,
  users,
  writeState,
  type SuiteState,
} from './support/state.ts'

/**
 * The app under test, for real (SPEC §9): a fresh PostgreSQL database, the built SPA, and ONE
 * `node --import tsx src/main.ts all` process (API, SPA and worker) seeded with the demo data.
 * The setup returns once the demo seed's pipelines have all finished, so that every test starts
 * from the same settled state.
 *
 * The intervals are shorter than in production so that the suite is fast: heartbeats every
 * 500 ms (a cancel lands within half a second), idle workers poll every 200 ms, streams every
 * 200 ms. STALE_AFTER_MS must exceed 3 heartbeats (the config refuses less).
 */

const adminUrl =
  process.env['E2E_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const serverDir = path.join(repoDir, 'server')

/** The running server and its database, for the global teardown (same process as this setup). */
export interface ServerHandle {
  child?: ChildProcess
  drop?: () => Promise<void>
}
const registry = globalThis as { __carbonSyncE2e?: ServerHandle }
// `??=`: importing this module again (from the teardown) must not replace the setup's handle.
export const handle: ServerHandle = (registry.__carbonSyncE2e ??= {})

function databaseUrl(name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function createDatabase(): Promise<{ name: string; url: string }> {
  const name = `cs_e2e_${randomBytes(5).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    const code = (error as { code?: string }).code ?? ''
    const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'CONNECT_TIMEOUT'].includes(
      code,
    )
    throw new Error(
      `The e2e suite needs a PostgreSQL server it can create databases on, at ${redact(adminUrl)} ` +
        '(E2E_DATABASE_ADMIN_URL sets another one). ' +
        (unreachable
          ? `It is not reachable (${why}): start it (e.g. \`pg_ctlcluster 15 main start\`) and run the suite again.`
          : `Creating a database there failed: ${why}.`),
    )
  } finally {
    await admin.end({ timeout: 1 })
  }
  return { name, url: databaseUrl(name) }
}

export async function dropDatabase(name: string, url = adminUrl): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await admin.end({ timeout: 1 })
  }
}

function redact(url: string): string {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

function buildSpa(): void {
  const r = spawnSync(process.execPath, ['frontend/scripts/build-if-stale.mjs'], {
    cwd: repoDir,
    stdio: 'inherit',
  })
  if (r.status !== 0) throw new Error(`building the SPA failed (exit ${r.status ?? r.signal})`)
}

function startServer(url: string): { child: ChildProcess; baseURL: Promise<string> } {
  fs.mkdirSync(tmpDir, { recursive: true })
  const log = fs.createWriteStream(serverLogFile)
  // node with the tsx loader, not the tsx CLI: the CLI runs the program in a child process,
  // which a SIGKILL of the CLI would leave running (as server/test/helpers/processes.ts).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'all'], {
    cwd: serverDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      DEMO_PASSWORD: demoPassword,
      LOG_LEVEL: 'warn',
      HEARTBEAT_INTERVAL_MS: '500',
      STALE_AFTER_MS: '5000',
      POLL_INTERVAL_MS: '200',
      RECLAIM_INTERVAL_MS: '1000',
      SSE_POLL_INTERVAL_MS: '200',
      SHUTDOWN_GRACE_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const baseURL = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log.write(chunk)
      if (output.length < 100_000) output += chunk.toString()
      const m = /running at (http:\/\/\S+)/.exec(output)
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'))
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code, signal) =>
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${output}`)),
    )
    setTimeout(
      () => reject(new Error(`the server did not print its URL within 60 s:\n${output}`)),
      60_000,
    ).unref()
  })
  child.once('exit', () => log.end())
  return { child, baseURL }
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function signIn(baseURL: string, email: string): Promise<string> {
  const res = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'carbon-sync' },
    body: JSON.stringify({ email, password: demoPassword }),
  })
  if (!res.ok) throw new Error(`sign-in of ${email}: HTTP ${res.status} ${await res.text()}`)
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}

async function getJson<T>(baseURL: string, cookie: string, route: string): Promise<T> {
  const res = await fetch(`${baseURL}${route}`, { headers: { cookie, Accept: 'application/json' } })
  if (!res.ok) throw new Error(`GET ${route}: HTTP ${res.status}`)
  return (await res.json()) as T
}

/** Until no pipeline of the institution is running or waiting (the demo seed's 26, say). */
async function waitForIdle(baseURL: string, email: string): Promise<void> {
  const cookie = await signIn(baseURL, email)
  await until(`the demo seed pipelines of ${email}'s institution to finish`, 180_000, async () => {
    const running = await getJson<{ items: unknown[] }>(
      baseURL,
      cookie,
      '/api/v1/sync/pipelines?status=RUNNING&limit=1',
    )
    const waiting = await getJson<{ items: unknown[] }>(
      baseURL,
      cookie,
      '/api/v1/sync/pipelines?status=NOT_STARTED&limit=1',
    )
    return running.items.length === 0 && waiting.items.length === 0 ? true : undefined
  })
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now()
  removeState()
  const db = await createDatabase()
  handle.drop = () => dropDatabase(db.name)
  try {
    buildSpa()
    const server = startServer(db.url)
    handle.child = server.child
    const baseURL = await server.baseURL
    await until('GET /readyz', 60_000, async () =>
      (await fetch(`${baseURL}/readyz`)).ok ? true : undefined,
    )
    // Demo University A is what the suite works on; B's seed is awaited too, for the tenancy test.
    await waitForIdle(baseURL, users.adminA)
    await waitForIdle(baseURL, users.adminB)
    const cookie = await signIn(baseURL, users.adminA)
    const { defaultYear } = await getJson<{ defaultYear: number }>(baseURL, cookie, '/api/v1/years')
    const state: SuiteState = {
      baseURL,
      databaseUrl: db.url,
      databaseName: db.name,
      adminUrl,
      serverPid: server.child.pid!,
      dataYear: defaultYear,
    }
    writeState(state)
    console.log(
      `e2e: server ${baseURL} on database ${db.name}, demo data of ${defaultYear} loaded in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (log: ${path.relative(repoDir, serverLogFile)})`,
    )
  } catch (error) {
    // Playwright does not run the global teardown when the setup fails: clean up here.
    await stopServer(handle.child)
    await dropDatabase(db.name).catch(() => undefined)
    throw error
  }
}

/** SIGTERM, then SIGKILL if the process is still there after 10 s. */
export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
