import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { sql, type SQL } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import * as schema from './schema/index.ts'

/**
 * One interface over the two engines: PostgreSQL through postgres.js (a pool, many
 * processes) and PGlite (PostgreSQL in WASM, one connection, one process).
 *
 * Queries go through drizzle on `db` or on a transaction `tx`; the few things drizzle does not
 * cover (COPY, LISTEN) are here. On PGlite every query waits for a running transaction, so
 * code inside a transaction must use its `tx`, never `db`.
 */

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>
export type Engine = 'postgres' | 'pglite'

export interface Database {
  readonly engine: Engine
  /** Pooled queries. */
  readonly db: Db
  /**
   * A separate small pool for the worker's control statements (claim, heartbeat, progress,
   * finish), so that they never queue behind long data queries. Same as `db` on PGlite.
   */
  readonly control: Db
  /** Bulk-loads rows (COPY text format lines, each ending in \n) into a table, inside `tx`. */
  copyIn(
    tx: Db,
    table: string,
    columns: readonly string[],
    lines: AsyncIterable<string> | Iterable<string>,
  ): Promise<void>
  /** Subscribes to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  /** Connections open and in use, for metrics. */
  poolStats(): { open: number; busy: number }
  close(): Promise<void>
}

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../drizzle',
)

/**
 * Whose data a query reads: the caller's scope (a user's institution) or, in the engine, the
 * job's institution. Tenant queries take one and filter on it, so that the filter cannot be
 * forgotten at the call site.
 */
export interface Tenant {
  readonly institutionId: number
}

/**
 * Rows of a raw query, whatever the engine returns.
 *
 * On PostgreSQL the statement goes to postgres.js as a prepared statement. drizzle's own
 * `execute` sends it unprepared, and postgres.js then describes every statement that has
 * parameters before running it: two round trips where one does. Prepared, a statement is
 * described once per connection and then only bound and run. Its text must therefore not
 * vary with values (values are parameters; see intArray).
 */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const session = (db as unknown as { session: DrizzleSession }).session
  const client = session?.client as PreparableClient | undefined
  if (client && typeof client.unsafe === 'function') {
    const { sql: text, params } = (db as unknown as { dialect: SqlDialect }).dialect.sqlToQuery(
      query,
    )
    session.logger?.logQuery(text, params)
    return (await client.unsafe(text, params, { prepare: true })) as T[]
  }
  const result = (await db.execute(query)) as unknown
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

interface DrizzleSession {
  client: unknown
  logger?: { logQuery(query: string, params: unknown[]): void }
}
interface SqlDialect {
  sqlToQuery(query: SQL): { sql: string; params: unknown[] }
}
interface PreparableClient {
  unsafe(query: string, params: unknown[], options: { prepare: boolean }): Promise<unknown>
}

/**
 * An int[] for `= ANY(...)`, sent as ONE parameter (an array literal): the statement's text stays
 * the same whatever the ids, so the driver prepares it once per connection instead of parsing,
 * describing and caching a new statement for every list of ids.
 */
export function intArray(ids: readonly number[]): SQL {
  return sql`${`{${ids.map((id) => Math.trunc(Number(id))).join(',')}}`}::int[]`
}

/** First row of a raw query, or undefined. */
export async function firstRow<T>(db: Db, query: SQL): Promise<T | undefined> {
  return (await rows<T>(db, query))[0]
}

/** The driver connection of a drizzle transaction (postgres.js TransactionSql or a PGlite Transaction). */
function driverClient(tx: Db): unknown {
  return (tx as unknown as { session: { client: unknown } }).session.client
}

export interface PostgresOptions {
  url: string
  poolMax: number
  applicationName?: string
  /** Called with every statement drizzle sends (tests count statements with it). */
  onQuery?: (query: string, params: unknown[]) => void
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const common = {
    onnotice: () => {},
    connect_timeout: 5,
    // Idle connections are closed, so that nothing is held between a watcher's polls.
    idle_timeout: 10,
    connection: {
      application_name: options.applicationName ?? 'carbon-sync',
      TimeZone: 'UTC',
      // Statements are prepared once per connection (see rows()); a generic plan is then made
      // once too. Left to choose, PostgreSQL keeps re-planning every execution of the engine's
      // statements (a custom plan for one id looks cheaper than the generic one), and planning
      // costs more than running them.
      plan_cache_mode: 'force_generic_plan',
      // The working set is in memory (or on SSD): an index probe costs little more than a
      // sequential page. With the default of 4, the planner prefers scanning whole small
      // tables to a few index probes, and the engine's statements slow down as tables grow
      // until the statistics catch up.
      random_page_cost: '1.1',
    },
  }
  const client = postgres(options.url, { ...common, max: options.poolMax })
  const controlClient = postgres(options.url, { ...common, max: 3 })
  const logger = options.onQuery
    ? { logQuery: (q: string, params: unknown[]) => options.onQuery!(q, params) }
    : undefined
  const db = drizzlePostgres(client, { schema, logger })
  const control = drizzlePostgres(controlClient, { schema, logger })
  let listener: ReturnType<typeof postgres> | undefined
  return {
    engine: 'postgres',
    db: db as unknown as Db,
    control: control as unknown as Db,
    async copyIn(tx, table, columns, lines) {
      const raw = driverClient(tx) as postgres.TransactionSql
      const target = `${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')})`
      const writable = await raw.unsafe(`COPY ${target} FROM STDIN`).writable()
      await pipeline(Readable.from(lines), writable)
    },
    async listen(channel, onPayload) {
      // LISTEN needs a connection of its own; postgres.js keeps one per client and reconnects it.
      listener ??= postgres(options.url, { ...common, max: 1 })
      const sub = await listener.listen(channel, onPayload)
      return () => sub.unlisten()
    },
    poolStats() {
      return {
        open: poolCount(client, 'open') + poolCount(controlClient, 'open'),
        busy: poolCount(client, 'busy') + poolCount(controlClient, 'busy'),
      }
    },
    async close() {
      await Promise.all([
        client.end({ timeout: 5 }),
        controlClient.end({ timeout: 5 }),
        listener?.end({ timeout: 5 }),
      ])
    },
  }
}

/** postgres.js keeps its connection queues on the client; read their sizes for metrics. */
function poolCount(client: ReturnType<typeof postgres>, what: 'open' | 'busy'): number {
  const c = client as unknown as Record<string, unknown>
  const queues = (c['connections'] ?? undefined) as Record<string, { length: number }> | undefined
  if (!queues) return 0
  if (what === 'busy') return (queues['busy']?.length ?? 0) + (queues['reserved']?.length ?? 0)
  return ['open', 'busy', 'full', 'reserved'].reduce((n, k) => n + (queues[k]?.length ?? 0), 0)
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Text per COPY statement on PGlite (see copyIn). */
const pgliteCopyBytes = 1024 * 1024

export interface PgliteOptions {
  /** Directory of the database, or undefined for an in-memory database (tests). */
  dataDir?: string
  /** Called with every statement drizzle sends (tests count statements with it). */
  onQuery?: (query: string, params: unknown[]) => void
}

export async function openPglite(options: PgliteOptions): Promise<Database> {
  const releaseLock = options.dataDir ? lockDataDir(options.dataDir) : () => {}
  let pg: PGlite
  try {
    pg = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {})
  } catch (error) {
    releaseLock()
    throw error
  }
  const logger = options.onQuery
    ? { logQuery: (q: string, params: unknown[]) => options.onQuery!(q, params) }
    : undefined
  const db = drizzlePglite(pg, { schema, logger }) as unknown as Db
  let closed = false
  return {
    engine: 'pglite',
    db,
    control: db,
    async copyIn(tx, table, columns, lines) {
      const raw = driverClient(tx) as { query: PGlite['query'] }
      const target = `${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')})`
      // PGlite runs in this thread, and its queries resolve without ever leaving the microtask
      // queue: a transaction of many statements would hold the event loop from its first to
      // its last. Several COPYs of a few MiB each, with a turn of the event loop after each,
      // let timers and sockets (HTTP keep-alive, stream keep-alive comments) run meanwhile.
      let parts: string[] = []
      let size = 0
      const flush = async () => {
        if (parts.length === 0) return
        await raw.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob(parts) })
        parts = []
        size = 0
        await new Promise((resolve) => setImmediate(resolve))
      }
      for await (const line of lines) {
        parts.push(line)
        size += line.length
        if (size >= pgliteCopyBytes) await flush()
      }
      await flush()
    },
    async listen(channel, onPayload) {
      return pg.listen(channel, onPayload)
    },
    poolStats() {
      return { open: closed ? 0 : 1, busy: 0 }
    },
    async close() {
      if (closed) return
      closed = true
      await pg.close()
      releaseLock()
    },
  }
}

export class DataDirLockedError extends Error {}

/**
 * PGlite is a single-process database: a second process on the same directory would corrupt
 * it. A lock file holding our pid keeps a second process out; a lock left by a dead process
 * is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true })
  const lockPath = path.join(dataDir, 'carbon-sync.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n${os.hostname()}\n`, { flag: 'wx' })
      return () => fs.rmSync(lockPath, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const [pidText, host] = fs.readFileSync(lockPath, 'utf8').split('\n')
      const pid = Number(pidText)
      if (host === os.hostname() && Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `The embedded database in ${dataDir} is in use by another Carbon Sync process (pid ${pid}). ` +
            'PGlite serves one process only: stop that process, or set DATABASE_URL to run several processes on PostgreSQL.',
        )
      }
      fs.rmSync(lockPath, { force: true })
    }
  }
  throw new DataDirLockedError(`Could not lock ${dataDir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const migrationLockKey = 7_273_001

/** Applies pending migrations. On PostgreSQL an advisory lock keeps concurrent starts in line. */
export async function runMigrations(database: Database, url?: string): Promise<void> {
  if (database.engine === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder })
    return
  }
  const locker = postgres(url!, { max: 1, onnotice: () => {} })
  try {
    await locker`SELECT pg_advisory_lock(${migrationLockKey})`
    await migratePostgres(database.db as never, { migrationsFolder })
  } finally {
    await locker`SELECT pg_advisory_unlock(${migrationLockKey})`.catch(() => {})
    await locker.end({ timeout: 5 })
  }
}

/** Number of migration files shipped, to tell whether the database is up to date. */
export function shippedMigrationCount(): number {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8'),
  ) as {
    entries: unknown[]
  }
  return journal.entries.length
}

export async function appliedMigrationCount(db: Db): Promise<number> {
  const row = await firstRow<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
  )
  return row?.n ?? 0
}
